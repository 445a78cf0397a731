import * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";
import * as path from "node:path";
import { PROJECT_DIR } from "../lib/paths";

/** The notifier's entry point in a project folder; bundled into one file at plan time. */
export const NOTIFIER_ENTRY = path.join("notifier", "lambda.ts");

/**
 * Bundles the notifier into a single CommonJS file for the Lambda Node.js runtime. The AWS SDK v3
 * is left out: the runtime provides it. The output is deterministic (no timestamps, no absolute
 * paths), so an unchanged notifier never shows as a change in `pulumi preview`.
 */
export function bundleNotifierSource(projectDir: string = PROJECT_DIR): string {
  const result = buildSync({
    entryPoints: [path.join(projectDir, NOTIFIER_ENTRY)],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    external: ["@aws-sdk/*"],
    write: false,
    legalComments: "none",
    absWorkingDir: projectDir,
    // Paths in the bundle's comments stay `node_modules/...` even when node_modules is a link to
    // another folder (pnpm, a shared cache): the same source makes the same bundle anywhere, so a
    // pull request's diff never shows the notifier as changed because of where it was checked out.
    preserveSymlinks: true,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

export function notifierCodeArchive(): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive({
    "index.js": new pulumi.asset.StringAsset(bundleNotifierSource()),
  });
}
