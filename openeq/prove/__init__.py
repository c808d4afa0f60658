"""Layer 3, sign proofs under the declared domains and relations."""
from openeq.prove.prover import Prover, combine_signs

__all__ = ["Prover", "combine_signs"]
