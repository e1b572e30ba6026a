export * from "./api-keys";
export * from "./events";
export * from "./projects";
export * from "./users";
export * from "./sessions";
export * from "./tasks";
export * from "./notifications";
export * from "./webhooks";
