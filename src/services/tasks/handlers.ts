import type { TaskType } from "../../db/schema";
import { exportStep } from "../exports/run";
import { importStep } from "../imports/run";
import { retentionStep } from "../retention/run";
import type { TaskHandler } from "./engine";

/** What each kind of task does in one step. */
export const TASK_HANDLERS: Record<TaskType, TaskHandler> = {
  export: exportStep,
  import: importStep,
  retention: retentionStep,
};
