// What an operator (or a named API token) may do: one ordered list of roles, each allowing what
// the one before it allows and more. Viewer reads; editor also sends, test-sends, pauses, resumes,
// cancels and edits subscribers; owner also manages operators and API tokens.
export const ROLES = ['viewer', 'editor', 'owner'] as const;

export type Role = (typeof ROLES)[number];
