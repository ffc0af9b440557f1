// Per-topic feeds: every tag and category gets tags/<slug>/{feed.xml,atom.xml,feed.json}.
// The slug rule (topicSlug) and the labels are the domain's (src/domain/topics.ts): labels that
// differ only by case or spacing ("SOFA Weekly", "SOFA WEEKLY") share one feed.
import type { Issue } from '../content/issue.js';
import { issueTopicLabels, topicSlug } from '../domain/topics.js';

export { topicSlug } from '../domain/topics.js';

export interface Topic {
  slug: string;
  /** The spelling used first by the newest issue that carries it. */
  label: string;
  /** Newest first, as given. */
  issues: Issue[];
}

/** Groups issues (already sorted newest first) by topic slug; topics sorted by slug. */
export function groupTopics(issues: Issue[]): Topic[] {
  const bySlug = new Map<string, Topic>();
  for (const issue of issues) {
    const seen = new Set<string>();
    for (const label of issueTopicLabels(issue)) {
      const slug = topicSlug(label);
      if (seen.has(slug)) continue;
      seen.add(slug);
      let topic = bySlug.get(slug);
      if (!topic) {
        topic = { slug, label, issues: [] };
        bySlug.set(slug, topic);
      }
      topic.issues.push(issue);
    }
  }
  return [...bySlug.values()].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}

/** Site-relative path of a topic's folder, e.g. tags/sofa-weekly/ */
export function topicPath(slug: string): string {
  return `tags/${slug}/`;
}

/** Absolute URL of a topic's folder (percent-encoded). */
export function topicUrl(siteUrl: string, slug: string): string {
  return new URL(`tags/${encodeURIComponent(slug)}/`, siteUrl).href;
}
