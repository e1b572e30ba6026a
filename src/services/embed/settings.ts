import { eq } from "drizzle-orm";
import { z } from "zod";
import { EMBED_DENSITIES, EMBED_MODES, type EmbedTheme, embedSettings } from "../../db/schema";
import type { ProjectContext, ServiceContext } from "../context";
import { ADVANCED_COLUMNS } from "../events/presets";
import { logChange } from "../ingest/own-events";

/** At most this many origins may frame a project's viewer. */
const MAX_ORIGINS = 20;

/**
 * An origin that may frame the viewer, as a CSP source: `https://host[:port]`, or plain http for
 * localhost only (development). Read through URL, so what reaches the header is the normalised
 * origin and nothing else: no path, wildcard, quote, space or `;` that could add a directive.
 */
export function parseOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  const local = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) return undefined;
  if (url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== ""))
    return undefined;
  if (text.trim().replace(/\/$/, "") !== url.origin) return undefined;
  return url.origin;
}

export const AccentColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #3355ff");
export const EmbedThemeInput = z.strictObject({
  accent: AccentColour.optional().describe("Accent colour, `#rrggbb`."),
  mode: z.enum(EMBED_MODES).optional(),
  density: z.enum(EMBED_DENSITIES).optional(),
  columns: z.array(z.enum(ADVANCED_COLUMNS)).max(ADVANCED_COLUMNS.length).optional().describe("Extra columns shown."),
});

const list = (v: unknown) => (Array.isArray(v) ? v : typeof v === "string" && v !== "" ? [v] : []);

/** The Settings → Embedding form: origins one per line (or comma-separated), the look, the columns. */
export const EmbedSettingsForm = z
  .object({
    allowed_origins: z.string().max(4_000).default(""),
    accent: z.union([z.literal(""), AccentColour]).default(""),
    mode: z.enum(EMBED_MODES).default("light"),
    density: z.enum(EMBED_DENSITIES).default("comfortable"),
    columns: z.preprocess(list, z.array(z.enum(ADVANCED_COLUMNS)).max(ADVANCED_COLUMNS.length)),
  })
  .transform((form, ctx) => {
    const parts = form.allowed_origins.split(/[\s,]+/).filter(Boolean);
    const origins: string[] = [];
    for (const part of parts) {
      const origin = parseOrigin(part);
      if (!origin) {
        ctx.addIssue({
          code: "custom",
          path: ["allowed_origins"],
          message: `"${part.slice(0, 100)}" is not an origin like https://app.example.com (http only for localhost)`,
        });
        return z.NEVER;
      }
      if (!origins.includes(origin)) origins.push(origin);
    }
    if (origins.length > MAX_ORIGINS) {
      ctx.addIssue({ code: "custom", path: ["allowed_origins"], message: `at most ${MAX_ORIGINS} origins` });
      return z.NEVER;
    }
    const theme: EmbedTheme = { mode: form.mode, density: form.density, columns: [...new Set(form.columns)] };
    if (form.accent) theme.accent = form.accent.toLowerCase();
    return { allowedOrigins: origins, theme };
  });
export type EmbedSettingsValues = z.output<typeof EmbedSettingsForm>;

const NONE: EmbedSettingsValues = { allowedOrigins: [], theme: {} };

/** The project's embedding rules; none saved means nothing may frame the viewer. */
export async function getEmbedSettings(ctx: ServiceContext, projectId: string): Promise<EmbedSettingsValues> {
  const [row] = await ctx.db.select().from(embedSettings).where(eq(embedSettings.projectId, projectId)).limit(1);
  return row ? { allowedOrigins: row.allowedOrigins, theme: row.theme } : NONE;
}

/** Saves the rules and records the change (origins and look, old → new) as a configuration event. */
export async function saveEmbedSettings(ctx: ProjectContext, values: EmbedSettingsValues): Promise<void> {
  const before = await getEmbedSettings(ctx, ctx.project.id);
  const now = Date.now();
  await ctx.db
    .insert(embedSettings)
    .values({ projectId: ctx.project.id, ...values, updatedAt: now })
    .onConflictDoUpdate({ target: embedSettings.projectId, set: { ...values, updatedAt: now } });
  await logChange(ctx, {
    type: "embed_settings.updated",
    summary: "Embedding settings changed",
    entity: { type: "project", id: ctx.project.id, name: ctx.project.name },
    changes: {
      allowed_origins: [before.allowedOrigins, values.allowedOrigins],
      theme: [before.theme, values.theme],
    },
  });
}
