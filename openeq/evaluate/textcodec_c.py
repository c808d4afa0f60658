r"""C source of the text codec (``openeq.evaluate.textcodec``): numbers in CSV rows.

**Reading** a decimal ``[+-]digits[.digits][(e|E)[+-]digits]`` (or ``inf``,
``infinity``, ``nan``, any case) as the double nearest to it, as ``strtod`` does:
the first 19 significant digits ``w`` (an integer below :math:`2^{64}`) and the
decimal exponent ``q`` give the value :math:`w \cdot 10^{q}`.

* :math:`w \le 2^{53}` and :math:`|q| \le 22`: ``w`` and :math:`10^{|q|}` are exact
  doubles, so one IEEE multiplication or division rounds the exact value once
  (Clinger's fast path);
* otherwise, in 64-bit-mantissa ``long double``: :math:`L = w \cdot P_q` with
  :math:`P_q` the table value of :math:`10^q` (correctly rounded to 64 bits,
  written here as exact hexadecimal literals), so
  :math:`|L - w 10^q| \le 2^{-63}\,|L|`.  When :math:`L (1 - 2^{-61})` and
  :math:`L (1 + 2^{-61})` round to the same double, the exact value, which lies
  between them, rounds to it too (rounding is monotone), and that double is the
  answer;
* anything else (more than 19 significant digits, a huge exponent, an ambiguous
  rounding, a platform whose ``long double`` has fewer than 64 mantissa bits) is
  read by the C library's ``strtod``.

**Writing** a double ``x`` with the fewest of 15, 16 or 17 significant digits
that read back as ``x``, in Python's ``repr`` layout (``0.1``, ``1e-05``,
``1.5e+16``): :math:`m_{17} = \mathrm{round}(x \cdot 10^{16-e})` with
:math:`10^{16} \le m_{17} < 10^{17}` and, rounded from it, the 16- and 15-digit
candidates (rounded from ``x`` itself where :math:`m_{17}` ends in a 5);
the shortest candidate ``m`` (``n`` digits) is accepted when
:math:`D = m \cdot 10^{e-n+1}` is closer to ``x`` than half the gap to the
neighbouring double on that side, by a margin of :math:`2^{-62} x` (twice the :math:`2^{-63} x` bound) that covers
the ``long double`` error of computing ``D``; such a ``D`` reads back as ``x``.
Every double with a 15-digit form has its shortest form among these (a decimal
of at most 15 digits survives the round trip through a normal double), and the
17-digit form always qualifies; if none did, ``%.17g`` is written.  Trailing
zeros are dropped.
"""
from __future__ import annotations

from fractions import Fraction

__all__ = ["source", "P10_OFFSET"]

P10_OFFSET = 350  # P10[k] = 10^(k - 350)


def _ld_literal(q: int) -> str:
    """10**q correctly rounded to a 64-bit mantissa, as an exact C hexadecimal long double."""
    v = Fraction(10) ** q
    e = v.numerator.bit_length() - v.denominator.bit_length() - 64
    while True:  # choose e with 2**63 <= v / 2**e < 2**64
        m = v / (Fraction(2) ** e)
        if m < 2 ** 63:
            e -= 1
        elif m >= 2 ** 64:
            e += 1
        else:
            break
    n, r = divmod(m.numerator, m.denominator)
    twice = 2 * r
    if twice > m.denominator or (twice == m.denominator and n % 2):
        n += 1
    if n == 2 ** 64:
        n, e = 2 ** 63, e + 1
    return f"0x{n:x}p{e}L"


def _table() -> str:
    vals = [_ld_literal(k - P10_OFFSET) for k in range(2 * P10_OFFSET + 1)]
    rows = [", ".join(vals[i:i + 4]) for i in range(0, len(vals), 4)]
    return "static const long double P10[%d] = {\n    %s\n};\n" % (len(vals), ",\n    ".join(rows))


_BODY = r"""
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>
#include <stdio.h>

#if LDBL_MANT_DIG >= 64
#define LD_OK 1
#else
#define LD_OK 0
#endif
#define OFF %(off)d

static const double P10D[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
                                1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
static const uint64_t P10U[20] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
    100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
    100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
    1000000000000000000ULL, 10000000000000000000ULL};

int64_t openeq_codec_long_double(void) { return LD_OK; }

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

static int word(const char *p, const char *w) {  /* length of the word w at p (any case), or 0 */
    int n = 0;
    while (w[n]) { if (lower((unsigned char)p[n]) != w[n]) return 0; n++; }
    return n;
}

/* One number at p; returns the end, or NULL if p holds no number of the grammar. */
static const char *parse_number(const char *p, double *out) {
    const char *start = p;
    int neg = 0;
    if (*p == '+' || *p == '-') { neg = *p == '-'; p++; }
    uint64_t w = 0;
    int nd = 0, dropped = 0, any = 0;
    int64_t e10 = 0;
    while (*p >= '0' && *p <= '9') {
        any = 1;
        if (nd == 0 && *p == '0') { p++; continue; }
        if (nd < 19) { w = w * 10 + (uint64_t)(*p - '0'); nd++; }
        else { e10++; if (*p != '0') dropped = 1; }
        p++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            any = 1;
            if (nd == 0 && *p == '0') { e10--; p++; continue; }
            if (nd < 19) { w = w * 10 + (uint64_t)(*p - '0'); nd++; e10--; }
            else if (*p != '0') dropped = 1;
            p++;
        }
    }
    if (!any) {
        int n;
        if ((n = word(p, "infinity")) || (n = word(p, "inf"))) { *out = neg ? -INFINITY : INFINITY; return p + n; }
        if ((n = word(p, "nan"))) { *out = NAN; return p + n; }
        return NULL;
    }
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        int eneg = 0;
        int64_t ev = 0;
        if (*q == '+' || *q == '-') { eneg = *q == '-'; q++; }
        if (!(*q >= '0' && *q <= '9')) return NULL;
        while (*q >= '0' && *q <= '9') { if (ev < 100000) ev = ev * 10 + (*q - '0'); q++; }
        e10 += eneg ? -ev : ev;
        p = q;
    }
    if (w == 0) { *out = neg ? -0.0 : 0.0; return p; }
    if (!dropped) {
        if (w <= (1ULL << 53) && e10 >= -22 && e10 <= 22) {
            double d = (double)w;
            d = e10 >= 0 ? d * P10D[e10] : d / P10D[-e10];
            *out = neg ? -d : d;
            return p;
        }
#if LD_OK
        if (e10 >= -OFF && e10 <= OFF) {
            long double L = (long double)w * P10[e10 + OFF];
            long double r = L * 0x1p-61L;
            double lo = (double)(L - r), hi = (double)(L + r);
            if (lo == hi && hi <= DBL_MAX) { *out = neg ? -lo : lo; return p; }
        }
#endif
    }
    *out = strtod(start, NULL);  /* the grammar above is a subset of strtod's */
    return p;
}

static const char *blank(const char *p) { while (*p == ' ' || *p == '\t') p++; return p; }

/* Rows of ncols numbers separated by commas, from buf[0:len], which ends with '\n'.
   Blank lines are skipped.  Returns the number of rows read, or -1 with err[0] = the
   offset of the bad line and err[1] = the field (ncols: too many fields).
   starts/lens: each row's text (without its line end), for echoing it. */
int64_t openeq_parse_rows(const char *buf, int64_t len, int64_t ncols, int64_t cap, double **cols,
                          int64_t *starts, int64_t *lens, int64_t *err) {
    const char *p = buf, *end = buf + len;
    int64_t row = 0;
    while (p < end) {
        const char *line = p, *q = blank(p);
        if (*q == '\n' || (*q == '\r' && q[1] == '\n')) { p = (*q == '\n' ? q : q + 1) + 1; continue; }
        if (row >= cap) { err[0] = line - buf; err[1] = -1; return -1; }
        for (int64_t j = 0; j < ncols; j++) {
            double v;
            const char *r = parse_number(blank(q), &v);
            if (!r) { err[0] = line - buf; err[1] = j; return -1; }
            cols[j][row] = v;
            q = blank(r);
            if (j + 1 < ncols) {
                if (*q != ',') { err[0] = line - buf; err[1] = *q == '\n' || *q == '\r' ? j + 1 : j; return -1; }
                q++;
            }
        }
        const char *stop = q;
        if (*q == '\r') q++;
        if (*q != '\n') { err[0] = line - buf; err[1] = *stop == ',' ? ncols : ncols - 1; return -1; }
        starts[row] = line - buf;
        lens[row] = stop - line;
        while (lens[row] > 0 && (line[lens[row] - 1] == ' ' || line[lens[row] - 1] == '\t')) lens[row]--;
        row++;
        p = q + 1;
    }
    return row;
}

static char *emit(char *o, uint64_t m, int n, int e10) {
    char d[20];
    while (n > 1 && m %% 10 == 0) { m /= 10; n--; }
    for (int i = n - 1; i >= 0; i--) { d[i] = (char)('0' + m %% 10); m /= 10; }
    if (e10 >= -4 && e10 < 16) {
        if (e10 >= 0) {
            for (int i = 0; i <= e10; i++) *o++ = i < n ? d[i] : '0';
            *o++ = '.';
            if (n > e10 + 1) { memcpy(o, d + e10 + 1, (size_t)(n - e10 - 1)); o += n - e10 - 1; }
            else *o++ = '0';
        } else {
            *o++ = '0'; *o++ = '.';
            for (int i = 0; i < -e10 - 1; i++) *o++ = '0';
            memcpy(o, d, (size_t)n); o += n;
        }
        return o;
    }
    *o++ = d[0];
    if (n > 1) { *o++ = '.'; memcpy(o, d + 1, (size_t)(n - 1)); o += n - 1; }
    *o++ = 'e';
    *o++ = e10 < 0 ? '-' : '+';
    int a = e10 < 0 ? -e10 : e10;
    if (a >= 100) { *o++ = (char)('0' + a / 100); a %%= 100; *o++ = (char)('0' + a / 10); *o++ = (char)('0' + a %% 10); }
    else { *o++ = (char)('0' + a / 10); *o++ = (char)('0' + a %% 10); }
    return o;
}

#if LD_OK
/* Accept m (n digits, value m * 10^(e10-n+1)) if it reads back as x (see the module docstring). */
static int reads_back(uint64_t m, int n, int e10, long double x, long double gup, long double gdn, long double tol) {
    int s = n - 1 - e10;
    long double back = (long double)(int64_t)m * P10[OFF - s];
    long double diff = back - x;
    return fabsl(diff) < (diff >= 0 ? gup : gdn) * 0.5L - tol;
}

static int shortest(double x, uint64_t *mo, int *no, int *eo) {  /* x > 0, finite */
    int e2;
    frexp(x, &e2);
    int e10 = (int)floor((e2 - 1) * 0.30102999566398120);  /* within one of floor(log10(x)) */
    double up = nextafter(x, INFINITY), dn = nextafter(x, 0.0);
    long double lx = x;
    long double gup = (up > DBL_MAX) ? (lx - dn) : ((long double)up - lx);
    long double gdn = lx - dn;
    long double tol = lx * 0x1p-62L;
    uint64_t m17 = 0;
    for (int tries = 0; tries < 3; tries++) {  /* 17 digits: 10^16 <= m17 < 10^17 */
        int s = 16 - e10;
        if (s < -OFF || s > OFF) return 0;
        m17 = (uint64_t)(int64_t)(lx * P10[s + OFF] + 0.5L);
        if (m17 >= P10U[17]) { e10++; continue; }
        if (m17 < P10U[16]) { e10--; continue; }
        break;
    }
    if (m17 < P10U[16] || m17 >= P10U[17]) return 0;
    /* the 15- and 16-digit candidates, rounded from m17 (the check decides, not the rounding) */
    uint64_t m15 = (m17 + 50) / 100, m16 = (m17 + 5) / 10;
    if (m17 %% 10 == 5)  /* a tie after rounding to 17 digits may not be one: round x itself */
        m16 = (uint64_t)(int64_t)(lx * P10[15 - e10 + OFF] + 0.5L);
    if (m17 %% 100 == 50)
        m15 = (uint64_t)(int64_t)(lx * P10[14 - e10 + OFF] + 0.5L);
    if (m15 < P10U[15] && reads_back(m15, 15, e10, lx, gup, gdn, tol)) { *mo = m15; *no = 15; *eo = e10; return 1; }
    if (m15 == P10U[15] && reads_back(P10U[14], 15, e10 + 1, lx, gup, gdn, tol)) { *mo = P10U[14]; *no = 15; *eo = e10 + 1; return 1; }
    if (m16 < P10U[16] && reads_back(m16, 16, e10, lx, gup, gdn, tol)) { *mo = m16; *no = 16; *eo = e10; return 1; }
    if (m16 == P10U[16] && reads_back(P10U[15], 16, e10 + 1, lx, gup, gdn, tol)) { *mo = P10U[15]; *no = 16; *eo = e10 + 1; return 1; }
    if (reads_back(m17, 17, e10, lx, gup, gdn, tol)) { *mo = m17; *no = 17; *eo = e10; return 1; }
    return 0;
}
#endif

static char *format_double(double x, char *o) {
    if (x != x) { memcpy(o, "nan", 3); return o + 3; }
    if (signbit(x)) { *o++ = '-'; x = -x; }
    if (isinf(x)) { memcpy(o, "inf", 3); return o + 3; }
    if (x == 0.0) { memcpy(o, "0.0", 3); return o + 3; }
#if LD_OK
    uint64_t m; int n, e10;
    if (shortest(x, &m, &n, &e10)) return emit(o, m, n, e10);
#endif
    return o + sprintf(o, "%%.17g", x);
}

/* Rows r0..r1-1: [the row's echoed text ","] fields separated by "," and "\n".
   kinds[j] = 0: cols[j] is a double array; 1: an int64 array of codes into the labels
   ltext[j] (label c is ltext[j][loff[j][c] .. loff[j][c+1])).  Returns bytes written. */
int64_t openeq_format_rows(int64_t r0, int64_t r1, int64_t nf, const int64_t *kinds, void **cols,
                           const char **ltext, const int64_t **loff, const int64_t *nlab,
                           const char *echo, const int64_t *starts, const int64_t *lens, char *out) {
    char *o = out;
    for (int64_t i = r0; i < r1; i++) {
        if (echo) {
            memcpy(o, echo + starts[i], (size_t)lens[i]);
            o += lens[i];
            if (nf) *o++ = ',';
        }
        for (int64_t j = 0; j < nf; j++) {
            if (j) *o++ = ',';
            if (kinds[j] == 0) o = format_double(((const double *)cols[j])[i], o);
            else {
                int64_t c = ((const int64_t *)cols[j])[i];
                if (c >= 0 && c < nlab[j]) {
                    int64_t a = loff[j][c], b = loff[j][c + 1];
                    memcpy(o, ltext[j] + a, (size_t)(b - a));
                    o += b - a;
                }
            }
        }
        *o++ = '\n';
    }
    return o - out;
}

/* Test hooks: one number each way. */
int64_t openeq_format_one(double x, char *out) { return format_double(x, out) - out; }
int64_t openeq_parse_one(const char *s, double *out) {
    const char *r = parse_number(s, out);
    return r ? r - s : -1;
}
"""


def source() -> str:
    return _table() + _BODY % {"off": P10_OFFSET}
