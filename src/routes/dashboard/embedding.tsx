import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Messages } from "../../../views/components/Flash";
import { Embedding, type EmbeddingValues } from "../../../views/pages/Embedding";
import type { ProjectEnv } from "../../env";
import { requirePermission } from "../../middleware/session";
import { EmbedSettingsForm, getEmbedSettings, saveEmbedSettings } from "../../services/embed/settings";
import { revokeViewerSessions } from "../../services/embed/viewer";
import { redirectWithFlash, takeFlash } from "./flash";
import { attempt, formValidator } from "./form";
import { projectBase, renderPage } from "./frame";

type C = Context<ProjectEnv>;

async function renderEmbedding(c: C, flash: Messages, status: 200 | 422 = 200, values?: EmbeddingValues) {
  const saved = await getEmbedSettings(c.var.ctx, c.var.project.id);
  const shown: EmbeddingValues = values ?? {
    allowed_origins: saved.allowedOrigins.join("\n"),
    accent: saved.theme.accent ?? "",
    mode: saved.theme.mode ?? "light",
    density: saved.theme.density ?? "comfortable",
    columns: saved.theme.columns ?? [],
  };
  return renderPage(c, Embedding, { ...flash, values: shown, origin: new URL(c.req.url).origin }, status);
}

const RevokeForm = z.object({ organization_id: z.string().trim().min(1, "name the organisation").max(128) });

// Parsed by hand as well: a form with several `columns` boxes reaches the validator as an array.
async function formValues(c: C): Promise<EmbeddingValues> {
  const form = await c.req.parseBody({ all: true });
  const one = (v: unknown) => (typeof v === "string" ? v : "");
  const columns = form.columns;
  return {
    allowed_origins: one(form.allowed_origins),
    accent: one(form.accent),
    mode: one(form.mode),
    density: one(form.density),
    columns: Array.isArray(columns) ? columns.map(one) : columns ? [one(columns)] : [],
  };
}

export const embeddingPages = new Hono<ProjectEnv>()
  .get("/", requirePermission("settings.read"), async (c) => renderEmbedding(c, await takeFlash(c)))
  .post("/", requirePermission("settings.update"), async (c) => {
    const values = await formValues(c);
    // A missing choice takes its default.
    const parsed = EmbedSettingsForm.safeParse({
      ...values,
      mode: values.mode || undefined,
      density: values.density || undefined,
    });
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => `${i.path.join(".").replace(/_/g, " ")}: ${i.message}`).join("; ");
      return renderEmbedding(c, { error: message }, 422, values);
    }
    await saveEmbedSettings(c.var.ctx, parsed.data);
    return redirectWithFlash(c, `${projectBase(c)}/settings/embedding`, { success: "Embedding settings saved." });
  })
  .post(
    "/revoke",
    requirePermission("settings.update"),
    formValidator(RevokeForm, (c: C, message) =>
      redirectWithFlash(c, `${projectBase(c)}/settings/embedding`, { error: message }),
    ),
    async (c) => {
      const org = c.req.valid("form").organization_id;
      const outcome = await attempt(() => revokeViewerSessions(c.var.ctx, org));
      return redirectWithFlash(
        c,
        `${projectBase(c)}/settings/embedding`,
        outcome.error
          ? { error: outcome.error }
          : { success: `Ended ${outcome.value ?? 0} viewer session(s) of ${org}.` },
      );
    },
  );
