import { describe, expect, it } from "vitest";
import { RenewingCredentials, TemporaryCredentials } from "../lib/renewingCredentials";

/** A role session that lasts an hour, assumed at the fake clock's time. */
function fakeRole(clock: { now: number }) {
  let assumed = 0;
  const assume = async (): Promise<TemporaryCredentials> => {
    assumed += 1;
    return {
      accessKeyId: `ASIA${assumed}`,
      secretAccessKey: "s",
      sessionToken: "t",
      expiration: new Date(clock.now + 3_600_000),
    };
  };
  return { assume, count: () => assumed };
}

describe("credentials of an assumed role, renewed before they run out", () => {
  it("assumes once, keeps the session while it has time left, and again when it has not", async () => {
    const clock = { now: Date.parse("2026-12-02T09:00:00Z") };
    const role = fakeRole(clock);
    const reader = new RenewingCredentials(role.assume, () => clock.now);
    expect((await reader.atLeast(0)).accessKeyId).toBe("ASIA1");
    clock.now += 50 * 60_000;
    // As the SDK's provider: ten minutes left is enough.
    expect((await reader.provider()).accessKeyId).toBe("ASIA1");
    // A query must start with forty minutes left: assumed again.
    expect((await reader.atLeast(40 * 60_000)).accessKeyId).toBe("ASIA2");
    clock.now += 57 * 60_000;
    // Three minutes left: the provider renews too.
    expect((await reader.provider()).accessKeyId).toBe("ASIA3");
    expect(role.count()).toBe(3);
  });
});
