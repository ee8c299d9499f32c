/**
 * Text that enters evsynth from data (CSV cells, study labels given to the library) is sanitised once,
 * where it enters, so that every output (text, JSON, SVG, PNG, HTML) shows it as stored.
 */

/**
 * Unicode bidirectional formatting characters: the embeddings and overrides U+202A–U+202E, the isolates
 * U+2066–U+2069 and the marks U+200E, U+200F, U+061C. An override such as U+202E makes the text after it
 * display right to left ("evil" shows as "live"), the "Trojan Source" spoofing (Boucher & Anderson 2021,
 * CVE-2021-42574).
 */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
const BIDI_CONTROLS_ALL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/** `s` without bidirectional control characters (see {@link BIDI_CONTROLS}). */
export function sanitizeText(s: string): string {
  return BIDI_CONTROLS.test(s) ? s.replace(BIDI_CONTROLS_ALL, '') : s;
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
