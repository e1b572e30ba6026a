import type { FilterWords } from "../../components/filter-words";

// Exports (README "Exports, imports and background tasks"): what the export pages are given.

export type ExportSummary = {
  id: string;
  status: string;
  format: string;
  gzip: boolean;
  /** The filters in words. */
  filters: FilterWords;
  rowCount: number | null;
  bytes: number | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
};

export function size(bytes: number | null): string {
  if (bytes === null) return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const formatText = (e: Pick<ExportSummary, "format" | "gzip">) =>
  `${e.format === "jsonl" ? "JSON Lines" : e.format.toUpperCase()}${e.gzip ? " (gzip)" : ""}`;
