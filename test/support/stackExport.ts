import { createHash } from "node:crypto";
import { Evaluation, UNKNOWN } from "../../offline/engine";

/**
 * A `pulumi stack export` document (version 3, apitype.UntypedDeployment and DeploymentV3 of
 * pulumi/pulumi sdk/go/common/apitype/core.go) of a deployment evaluated under mocks: what the
 * state of a stack that ran `pulumi up` with this program looks like. Written the way Pulumi
 * writes it: the root stack and providers as resources (providers with a UUID id, referenced as
 * `<urn>::<id>`), bridged inputs with their `__defaults`, outputs beside inputs, assets by their
 * sha256 hash, secrets as ciphertext under the signature key.
 */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const CLI_VERSION = "v3.276.0";

function uuidOf(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function stateValue(value: unknown): unknown {
  if (value === "[secret]") {
    return { [SIG_KEY]: SECRET_SIG, ciphertext: "v1:cGFzc3BocmFzZS1lbmNyeXB0ZWQ=" };
  }
  if (typeof value === "string") {
    const asset = /^\[asset sha256:([0-9a-f]{64})/.exec(value);
    return asset === null ? value : { [SIG_KEY]: ASSET_SIG, hash: asset[1] };
  }
  if (Array.isArray(value)) {
    return value.map(stateValue);
  }
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    if (Object.keys(record).length === 1 && "archive" in record) {
      return { [SIG_KEY]: ARCHIVE_SIG, assets: stateValue(record.archive) };
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, stateValue(v)]));
  }
  return value;
}

export function stackExportOf(evaluation: Evaluation): Record<string, unknown> {
  const providerIds = new Map<string, string>();
  for (const resource of evaluation.resources) {
    if (resource.type.startsWith("pulumi:providers:")) {
      providerIds.set(resource.urn, uuidOf(resource.urn));
    }
  }
  const providerRef = (ref: string): string => {
    const urn = ref.split("::").slice(0, -1).join("::");
    return `${urn}::${providerIds.get(urn) ?? uuidOf(urn)}`;
  };
  const resources = evaluation.resources.map((resource) => {
    if (Object.values(resource.inputs).includes(UNKNOWN)) {
      throw new Error(
        `${resource.urn}: a deployment's inputs are known; evaluate with preview off`,
      );
    }
    const bridged = resource.custom && !resource.type.startsWith("pulumi:");
    const inputs = stateValue(resource.inputs) as Record<string, unknown>;
    const id = resource.type.startsWith("pulumi:providers:")
      ? providerIds.get(resource.urn)
      : resource.custom
        ? `${resource.name}-id`
        : undefined;
    return {
      urn: resource.urn,
      custom: resource.custom,
      ...(id === undefined ? {} : { id }),
      type: resource.type,
      ...(Object.keys(inputs).length > 0 || bridged
        ? { inputs: bridged ? { __defaults: [], ...inputs } : inputs }
        : {}),
      ...(resource.custom ? { outputs: { ...inputs, id } } : {}),
      ...(resource.parent ? { parent: resource.parent } : {}),
      ...(resource.protect ? { protect: true } : {}),
      ...(resource.dependencies.length > 0 ? { dependencies: resource.dependencies } : {}),
      ...(resource.provider ? { provider: providerRef(resource.provider) } : {}),
      ...(resource.retainOnDelete ? { retainOnDelete: true } : {}),
    };
  });
  return {
    version: 3,
    deployment: {
      manifest: {
        time: "2026-11-30T09:12:44.181922Z",
        magic: createHash("sha256").update(CLI_VERSION).digest("hex"),
        version: CLI_VERSION,
      },
      secrets_providers: { type: "passphrase", state: { salt: "v1:c2FsdA==:v1:bm9uY2U=:dGFn" } },
      resources,
      metadata: {},
    },
  };
}
