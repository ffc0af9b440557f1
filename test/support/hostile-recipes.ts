// Hostile issue files too big to commit as fixtures (the small ones are in
// test/fixtures/hostile/issue-*): file name -> a function that writes its text.

const front = (title: string, extra = '') => `---\ntitle: "${title}"\ndate: 2022-11-04\n${extra}---\n`;

/** The hostile files too big to commit, by name. */
export const HOSTILE_RECIPES: Record<string, () => string> = {
  // marked is quadratic on these: 18 s for 320 KB, 123 s for 800 KB.
  'issue-emphasis-runs.md': () => `${front('Emphasis runs')}${'*a'.repeat(160_000)}\n`,
  // marked recursed out of the main thread's stack on this one.
  'issue-star-runs.md': () => `${front('Star runs')}${'*'.repeat(10_000)}a${'*'.repeat(10_000)}\n`,
  // Every topic feed repeats every category: output grew with the square (4.3 GB of memory).
  'issue-20000-tags.md': () => front('20,000 tags', `tags: [${Array.from({ length: 20_000 }, (_, i) => `t${i}`).join(', ')}]\n`) + 'Tags.\n',
  'issue-3000-tags.md': () => front('3,000 tags', `tags: [${Array.from({ length: 3_000 }, (_, i) => `t${i}`).join(', ')}]\n`) + 'Tags.\n',
  // 100,000 nested arrays in JSON front matter: every serialization overflows the stack.
  'issue-nested-json.md': () => `{"title": "Nested", "date": "2022-11-04", "deep": ${'['.repeat(100_000)}${']'.repeat(100_000)}\n}\nBody.\n`,
};
