import * as path from "node:path";

/** The project root, where Pulumi.yaml is: the one definition every module and tool uses. */
export const PROJECT_DIR = path.resolve(__dirname, "..");
