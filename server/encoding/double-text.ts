// Doubles as Redis 7.0 prints them in replies ("%.17g", inf/-inf/nan spelled its way): the
// RESP encoder's bulk strings and RESP3 doubles, and ZSCAN's score text.

/** Redis 7.0's "%.17g" for doubles; inf, -inf and nan as Redis spells them. */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return "nan";
  if (!Number.isFinite(d)) return d > 0 ? "inf" : "-inf";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const exp = Number(d.toExponential(16).split("e")[1]);
  if (exp < -4 || exp >= 17) {
    const [mantissa, e] = d.toExponential(16).split("e") as [string, string];
    const m = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
    const sign = e[0] === "-" ? "-" : "+";
    const digits = e.replace(/^[+-]/, "");
    return `${m}e${sign}${digits.length < 2 ? `0${digits}` : digits}`;
  }
  const fixed = d.toFixed(Math.max(0, 16 - exp));
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}
