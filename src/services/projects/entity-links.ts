import { eq } from "drizzle-orm";
import { z } from "zod";
import { type Project, projects } from "../../db/schema";
import { NotFoundError } from "../../lib/errors";
import type { MemberContext } from "../context";
import { logChange } from "../ingest/own-events";

// Entity links (README "The dashboard"): per project, a URL template per entity or target type, so
// an event about `promoter` p_9 links to the project's own admin page for it. Templates are
// checked here, on save, and filled in where they are shown (entityLinkHref): only http and https,
// the id always URL-encoded, so neither a template nor an event can make a `javascript:` link.

const TYPE = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_LINKS = 50;

function checkTemplate(template: string): string | undefined {
  if (!template.includes("{id}")) return "the URL has no {id} where the id goes";
  let url: URL;
  try {
    url = new URL(template.replaceAll("{id}", "id"));
  } catch {
    return "that is not a URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "the URL must start with https:// or http://";
  return undefined;
}

/**
 * The settings form's text: one link per line, `type URL` (`promoter https://app.example.com/promoters/{id}`),
 * blank lines ignored. Each problem names its line.
 */
export const EntityLinksInput = z.object({
  links: z
    .string()
    .max(20_000, "at most 20,000 characters")
    .transform((text, ctx) => {
      const links: Record<string, string> = {};
      const lines = text.split(/\r?\n/);
      lines.forEach((raw, i) => {
        const line = raw.trim();
        if (!line) return;
        const [type = "", template = "", ...rest] = line.split(/\s+/);
        const problem = !TYPE.test(type)
          ? `"${type.slice(0, 64)}" is not a type (letters, digits and _ . : -, at most 64)`
          : !template || rest.length
            ? "write the type, a space, then the URL (without spaces)"
            : template.length > 1000
              ? "the URL is longer than 1,000 characters"
              : checkTemplate(template);
        if (problem) ctx.addIssue({ code: "custom", message: `line ${i + 1}: ${problem}` });
        else links[type] = template;
      });
      if (Object.keys(links).length > MAX_LINKS)
        ctx.addIssue({ code: "custom", message: `at most ${MAX_LINKS} links` });
      return links;
    }),
});
export type EntityLinksInput = z.output<typeof EntityLinksInput>;

/** The links as the form shows them, one per line. */
export function entityLinksText(links: Record<string, string>): string {
  return Object.entries(links)
    .map(([type, template]) => `${type} ${template}`)
    .join("\n");
}

/** The link for one entity, or undefined when the project has none for its type (or it would not be http/https). */
export function entityLinkHref(links: Record<string, string>, type: string | undefined, id: string | undefined) {
  if (!type || !id || !Object.hasOwn(links, type)) return undefined;
  const template = links[type];
  if (!template || checkTemplate(template)) return undefined;
  return template.replaceAll("{id}", encodeURIComponent(id));
}

/** Saves the project's entity links and records a `settings.updated` event with what changed. */
export async function updateEntityLinks(ctx: MemberContext, input: EntityLinksInput): Promise<Project> {
  const { project } = ctx;
  if (JSON.stringify(project.entityLinks) === JSON.stringify(input.links)) return project;
  const [updated] = await ctx.db
    .update(projects)
    .set({ entityLinks: input.links })
    .where(eq(projects.id, project.id))
    .returning();
  if (!updated) throw new NotFoundError("The project was deleted while its settings were being saved.");
  await logChange(
    { ...ctx, project: updated },
    {
      type: "settings.updated",
      summary: "Project settings changed: entity links",
      entity: { type: "project", id: project.id, name: updated.name },
      changes: { entity_links: [project.entityLinks, input.links] },
    },
  );
  return updated;
}
