/**
 * Characters that draw nothing and carry no meaning in a summary: zero-width spaces and joiners,
 * bidi overrides and isolates, the soft hyphen, the byte-order mark (Unicode "format", Cf) and
 * control characters (Cc) except tab and line breaks. Inside a number or a name they only serve
 * to hide it from a pattern (138\u200B1234\u200B5678, 张\u200B三丰).
 */
export const INVISIBLE = /(?![\t\n\r])[\p{Cf}\p{Cc}]/gu;

/** Text with the invisible characters removed, and tabs and line breaks as plain spaces. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '').replace(/[\t\n\r]/g, ' ');
}
