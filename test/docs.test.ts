import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderConfigReference } from "../config/reference";
import { PROJECT_DIR } from "../offline/stackFile";

describe("generated config reference", () => {
  it("docs/config.md is what npm run docs generates from the schema (run it after changing config/schema.ts)", () => {
    const example = readFileSync(path.join(PROJECT_DIR, "templates", "Pulumi.prod.yaml"), "utf8");
    expect(readFileSync(path.join(PROJECT_DIR, "docs", "config.md"), "utf8")).toBe(
      renderConfigReference(example),
    );
  });

  it("lists every nested key with its default", () => {
    const reference = renderConfigReference("");
    expect(reference).toContain(
      "| `aws-org-guardrails:rootAccess.breakGlass[].expiresAt` | string | required |",
    );
    expect(reference).toContain(
      "| `aws-org-guardrails:scpLimits.maxPolicyCharacters` | integer | `5120` |",
    );
    expect(reference).toMatch(
      /centralLogs\.retentionInDays` \| number \| `365` \| .*one of 1, 3, 5, 7, 14/,
    );
    expect(reference).toMatch(
      /alerts\.notifierLogRetentionInDays` \| number \| `90` \| .*one of 1, 3, 5, 7, 14/,
    );
  });

  it("states the project's bounds, not zod's safe-integer limits", () => {
    const reference = renderConfigReference("");
    expect(reference).not.toContain(String(Number.MAX_SAFE_INTEGER));
    expect(reference).toContain(
      "| `aws-org-guardrails:logArchive.transitionDays` | integer | `90` | Days after which log files move to transitionStorageClass. (min 1) |",
    );
    expect(reference).toMatch(
      /alerts\.notifierReservedConcurrency` \| integer \\\| null \| `2` \| .*\(min 1, max 100\) \|$/m,
    );
  });
});
