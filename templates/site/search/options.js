// The one definition of how issues are indexed and queried, loaded by the build (src/search/) to
// write the index and by the browser (search.js) to read it and to search: the same tokens on
// both sides, or nothing would match. Plain JavaScript, because the browser runs it as it is.
//
// Chinese, Japanese and Korean are written without spaces, so a run of those characters is cut
// into overlapping pairs (bigrams: 服务网格 -> 服务 务网 网格); a query is cut the same way and every
// pair must match. Other scripts are cut into words. Full-width forms fold to ASCII (NFKC) and
// letters to lower case, so "ＳＯＦＡ" finds "sofa".

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const TOKEN = new RegExp(`[${CJK}]+|(?:(?![${CJK}])[\\p{L}\\p{N}\\p{M}])+`, 'gu');
const CJK_RUN = new RegExp(`^[${CJK}]`, 'u');

/** True for a token cut from CJK text (one character or a pair). */
export function isCjkToken(token) {
  return CJK_RUN.test(token);
}

/** The index's and the query's tokens of a text. */
export function tokenize(text) {
  const tokens = [];
  for (const [run] of text.normalize('NFKC').toLowerCase().matchAll(TOKEN)) {
    if (!isCjkToken(run)) {
      tokens.push(run);
      continue;
    }
    const chars = [...run];
    if (chars.length === 1) tokens.push(run);
    for (let i = 0; i + 1 < chars.length; i++) tokens.push(chars[i] + chars[i + 1]);
  }
  return tokens;
}

/** MiniSearch's options when the index is written and when it is loaded: fields, stored values, tokens. */
export const INDEX_OPTIONS = {
  fields: ['title', 'topics', 'text'],
  storeFields: ['title', 'url', 'date', 'summary'],
  tokenize,
  // Tokens are already normalised; MiniSearch's default would lower-case them again.
  processTerm: (term) => term,
};

/**
 * How a query is matched: every token must be found (AND); a title or topic match ranks higher;
 * the last word may be unfinished (prefix), and a single CJK character finds the pairs it begins;
 * longer words forgive a typo.
 */
export const SEARCH_OPTIONS = {
  combineWith: 'AND',
  boost: { title: 3, topics: 2 },
  prefix: (term, i, terms) => i === terms.length - 1 || [...term].length === 1,
  fuzzy: (term) => (!isCjkToken(term) && term.length > 4 ? 0.2 : false),
};
