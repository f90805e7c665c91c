/**
 * A float64 as Go's strconv.FormatFloat(v, 'g', -1, 64) (and so `%v`) writes it: the shortest
 * digits that round-trip, in exponent form for exponents from 6 up and below -4, and `+Inf`,
 * `-Inf`, `NaN` and `-0` spelled as Go spells them. One copy for every place that must
 * print numbers as a Go program would (kubectl's printers, the kubelet's Prometheus text).
 */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) {
    return 'NaN';
  }
  if (!Number.isFinite(n)) {
    return n > 0 ? '+Inf' : '-Inf';
  }
  if (n === 0) {
    return Object.is(n, -0) ? '-0' : '0';
  }
  const [mantissa = '0', expText = '0'] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}
