// What an operator (or a named API token) may do: one ordered list of roles, each allowing what
// the one before it allows and more. Viewer reads; editor also sends, test-sends, pauses, resumes,
// cancels and edits subscribers; owner also manages operators and API tokens.
export const ROLES = ['viewer', 'editor', 'owner'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Whether someone with role `have` may do what needs `need`. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
