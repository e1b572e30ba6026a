// Names and e-mails found by the start of any of their words (README "Filters", people and
// organisations): "jan" finds "Jane Doe", "doe" too, "jane@ex" the address. Words are folded
// (case, accents, compatibility forms) so that "elo" finds "Élodie"; the shard's actor_words and
// the control database's organization_words hold them, and a typed prefix becomes a range of
// their primary keys, never a scan.

/** Longer words are cut: a prefix longer than this matches by its first WORD_MAX characters. */
export const WORD_MAX = 64;
/** At most this many words of one name or address are kept. */
const WORDS_PER_VALUE = 12;

/** Lower case, no accents, one space between words: how words are stored and prefixes compared. */
export function fold(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/\s+/gu, " ")
    .trim();
}

/** The stored words of some names: each whole, then each word of letters and digits. */
export function wordsOf(...values: (string | null | undefined)[]): string[] {
  const words = new Set<string>();
  for (const value of values) {
    if (!value) continue;
    const whole = fold(value);
    if (!whole) continue;
    words.add(whole.slice(0, WORD_MAX));
    for (const word of whole.split(/[^\p{L}\p{N}]+/u).slice(0, WORDS_PER_VALUE)) {
      if (word) words.add(word.slice(0, WORD_MAX));
    }
  }
  return [...words];
}

/** U+10FFFF sorts after every character in SQLite's binary (UTF-8) order. */
const LAST = "\u{10FFFF}";

/**
 * The range of stored words that start with what was typed, `[from, to)`; null when the text folds
 * to nothing (only accents or spaces), which matches no word rather than every one.
 */
export function wordRange(typed: string): { from: string; to: string } | null {
  const prefix = fold(typed).slice(0, WORD_MAX);
  if (!prefix) return null;
  return { from: prefix, to: `${prefix}${LAST}` };
}
