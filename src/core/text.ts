/**
 * Text that enters evsynth from data (CSV cells, study labels given to the library) is sanitised once,
 * where it enters, so that every output (text, JSON, SVG, PNG, HTML) shows it as stored.
 */

/**
 * Unsafe characters in text. The Unicode bidirectional formatting characters: the embeddings and overrides
 * U+202A–U+202E, the isolates U+2066–U+2069 and the marks U+200E, U+200F, U+061C (an override such as U+202E
 * makes the text after it display right to left, "evil" shows as "live": the "Trojan Source" spoofing, Boucher
 * & Anderson 2021, CVE-2021-42574). And the C0 and C1 control characters but tab,
 * line feed and carriage return (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+007F–U+009F). A control
 * character is not allowed in XML, so an SVG with one is invalid and the PNG renderer refuses it, and in a
 * terminal ESC and BEL start escape sequences (colours, cursor moves, the bell) that can disguise output.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
export const UNSAFE_TEXT =
  /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/* eslint-enable no-control-regex */
const UNSAFE_TEXT_ALL = new RegExp(UNSAFE_TEXT.source, 'g');

/** `s` without bidirectional control characters and C0/C1 controls (see {@link UNSAFE_TEXT}). */
export function sanitizeText(s: string): string {
  return UNSAFE_TEXT.test(s) ? s.replace(UNSAFE_TEXT_ALL, '') : s;
}

/** Label arrays whose every entry is known to be a string already sanitised (the CSV reader's, see io/csv.ts). */
const sanitizedLabels = new WeakSet<readonly string[]>();

/** Records that `labels` holds only strings already passed through {@link sanitizeText}; returns it. */
export function markSanitized<T extends readonly string[]>(labels: T): T {
  sanitizedLabels.add(labels);
  return labels;
}

/** True for an array recorded by {@link markSanitized} (its labels need no second pass). */
export function isSanitized(labels: readonly string[]): boolean {
  return sanitizedLabels.has(labels);
}
