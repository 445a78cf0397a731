import { describe, expect, it } from "vitest";
import { Region } from "@pulumi/aws/types/enums";
import { allKnownRegions, knownRegion, nearestRegion } from "../config/regions";

describe("AWS regions from the SDK's partition data", () => {
  it("finds every region the AWS provider lists, each in its partition", () => {
    const found = new Map(allKnownRegions().map((info) => [info.region, info.partition]));
    for (const region of Object.values(Region)) {
      expect(found.has(region), region).toBe(true);
    }
    expect(found.get("eu-west-1")).toBe("aws");
    expect(found.get("cn-north-1")).toBe("aws-cn");
    expect(found.get("us-gov-west-1")).toBe("aws-us-gov");
  });

  it("knows a region by the SDK's data, not by its shape", () => {
    expect(knownRegion("eu-west-1")?.description).toBe("Europe (Ireland)");
    expect(knownRegion("eu-west-9")).toBeUndefined();
    expect(knownRegion("us-east-17")).toBeUndefined();
    expect(knownRegion("aws-global")).toBeUndefined();
    expect(knownRegion("Ireland")).toBeUndefined();
    expect(knownRegion("")).toBeUndefined();
  });

  it("suggests the nearest region, in the organization's partition when given", () => {
    expect(nearestRegion("eu-west-9")).toBe("eu-west-1");
    expect(nearestRegion("eu-wset-1")).toBe("eu-west-1");
    expect(nearestRegion("us-east-3")).toMatch(/^us-east-[12]$/);
    expect(nearestRegion("cn-north-1", "aws") ?? "none").not.toMatch(/^cn-/);
    // Far from every region: no suggestion rather than a misleading one.
    expect(nearestRegion("frankfurt")).toBeUndefined();
    expect(nearestRegion("mars-north-1", "aws")).toBeUndefined();
    expect(nearestRegion("us-gov-west-3", "aws-us-gov")).toBe("us-gov-west-1");
  });
});
