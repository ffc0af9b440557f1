// A renamed issue file: an issue whose slug has no campaign, but whose date and title equal a
// campaign's. Campaigns are keyed by slug, and a slug comes from the file name unless the front
// matter sets one, so renaming a mailed issue's file would otherwise mail it again under the new
// slug. The worker does not send such an issue by itself (src/worker/worker.ts); `pressroom send
// <slug>` still can, and `pressroom check --campaigns` reports it.

/** What the rule reads of an issue (an Issue from src/content/issue.ts has it). */
export interface RenameIssueFields {
  slug: string;
  title: string;
  date: { epochMs: number };
}

/** What the rule reads of a campaign (a Campaign from src/storage/store.ts has it). */
export interface RenameCampaignFields {
  slug: string;
  title: string;
  /** RFC 3339; null for campaigns created before it was recorded: those never match (no date to compare). */
  issueDate: string | null;
}

/** The campaign the issue looks like a renamed copy of, or undefined (also when the issue's own slug has a campaign). */
export function renamedFrom<C extends RenameCampaignFields>(issue: RenameIssueFields, campaigns: ReadonlyMap<string, C>): C | undefined {
  if (campaigns.has(issue.slug)) return undefined;
  for (const campaign of campaigns.values()) {
    if (campaign.issueDate !== null && campaign.title === issue.title && Date.parse(campaign.issueDate) === issue.date.epochMs) return campaign;
  }
  return undefined;
}

/** One line for the operator: what was found and what to do. */
export function renamedText(issue: RenameIssueFields, campaign: RenameCampaignFields): string {
  return `has the date and title of campaign "${campaign.slug}" (a renamed file?): not mailed automatically; set slug: ${campaign.slug} in its front matter if it is that issue, or run pressroom send ${issue.slug} to mail it anyway`;
}
