import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";

/**
 * Validates a CloudFormation template against the CloudFormation resource specification as
 * @aws-cdk/aws-service-spec ships it (the registry schemas AWS publishes, compiled into one
 * database): every resource type exists, every property is one the type has, required ones are
 * there, each value has the property's type (recursively into property types; an intrinsic
 * function stands for any scalar), enumerated strings take an allowed value, and every `Ref` and
 * `Condition` names something the template or CloudFormation defines. Test support only.
 */
type PropertyType =
  | { type: "string"; allowedValues?: string[] }
  | { type: "number" | "integer" | "boolean" | "json" | "date-time" | "null" | "tag" }
  | { type: "array" | "map"; element: PropertyType }
  | { type: "ref"; reference: { $ref: string } }
  | { type: "union"; types: PropertyType[] };

interface SpecProperty {
  type: PropertyType;
  required?: boolean;
}

const PSEUDO_PARAMETERS = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);

let database: ReturnType<typeof loadAwsServiceSpecSync> | undefined;
function db(): ReturnType<typeof loadAwsServiceSpecSync> {
  database ??= loadAwsServiceSpecSync();
  return database;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isIntrinsic(value: unknown): boolean {
  if (!isRecord(value)) {
    return false;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::"));
}

export function validateTemplate(template: {
  Resources: Record<
    string,
    { Type: string; Condition?: string; Properties?: Record<string, unknown> }
  >;
  Conditions?: Record<string, unknown>;
}): string[] {
  const problems: string[] = [];
  const logicalIds = new Set(Object.keys(template.Resources));
  const conditions = new Set(Object.keys(template.Conditions ?? {}));
  const checkRefs = (value: unknown, where: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => checkRefs(item, `${where}[${index}]`));
    } else if (isRecord(value)) {
      if (
        typeof value.Ref === "string" &&
        !logicalIds.has(value.Ref) &&
        !PSEUDO_PARAMETERS.has(value.Ref)
      ) {
        problems.push(`${where}: Ref ${value.Ref} names nothing`);
      }
      if (typeof value["Fn::Sub"] === "string") {
        for (const [, name] of value["Fn::Sub"].matchAll(/\$\{([^}!]+)\}/g)) {
          if (!logicalIds.has(name.split(".")[0]) && !PSEUDO_PARAMETERS.has(name)) {
            problems.push(`${where}: Fn::Sub names \${${name}}, which is nothing`);
          }
        }
      }
      for (const [key, inner] of Object.entries(value)) {
        checkRefs(inner, `${where}.${key}`);
      }
    }
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const [spec] = db().lookup("resource", "cloudFormationType", "equals", resource.Type);
    if (spec === undefined) {
      problems.push(`${id}: ${resource.Type} is not a CloudFormation resource type`);
      continue;
    }
    if (resource.Condition !== undefined && !conditions.has(resource.Condition)) {
      problems.push(`${id}: Condition ${resource.Condition} is not defined`);
    }
    const properties = spec.properties as unknown as Record<string, SpecProperty>;
    checkObject(properties, resource.Properties ?? {}, `${id}.Properties`, problems);
    checkRefs(resource.Properties ?? {}, `${id}.Properties`);
  }
  return problems;
}

function checkObject(
  properties: Record<string, SpecProperty>,
  value: Record<string, unknown>,
  where: string,
  problems: string[],
): void {
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) {
      problems.push(`${where}: the required property ${name} is missing`);
    }
  }
  for (const [name, inner] of Object.entries(value)) {
    const property = properties[name];
    if (property === undefined) {
      problems.push(
        `${where}: ${name} is not a property (has ${Object.keys(properties).join(", ")})`,
      );
      continue;
    }
    checkValue(property.type, inner, `${where}.${name}`, problems);
  }
}

function checkValue(type: PropertyType, value: unknown, where: string, problems: string[]): void {
  const scalar = (ok: boolean, what: string): void => {
    if (!ok && !isIntrinsic(value)) {
      problems.push(`${where}: expected ${what}, got ${JSON.stringify(value)}`);
    }
  };
  switch (type.type) {
    case "string":
      scalar(typeof value === "string", "a string");
      if (typeof value === "string" && type.allowedValues && !type.allowedValues.includes(value)) {
        problems.push(`${where}: ${value} is not one of ${type.allowedValues.join(", ")}`);
      }
      return;
    case "number":
    case "integer":
      scalar(
        typeof value === "number" && (type.type === "number" || Number.isInteger(value)),
        `a ${type.type}`,
      );
      return;
    case "boolean":
      scalar(typeof value === "boolean", "a boolean");
      return;
    case "json":
      scalar(isRecord(value) || Array.isArray(value), "a JSON object");
      return;
    case "array":
      if (!Array.isArray(value)) {
        scalar(false, "a list");
        return;
      }
      value.forEach((item, index) =>
        checkValue(type.element, item, `${where}[${index}]`, problems),
      );
      return;
    case "map":
      if (!isRecord(value)) {
        scalar(false, "a map");
        return;
      }
      for (const [key, item] of Object.entries(value)) {
        checkValue(type.element, item, `${where}.${key}`, problems);
      }
      return;
    case "ref": {
      const definition = db().get("typeDefinition", type.reference.$ref) as unknown as {
        properties: Record<string, SpecProperty>;
      };
      if (!isRecord(value)) {
        scalar(false, "an object");
        return;
      }
      checkObject(definition.properties, value, where, problems);
      return;
    }
    case "union": {
      const attempts = type.types.map((option) => {
        const found: string[] = [];
        checkValue(option, value, where, found);
        return found;
      });
      if (attempts.every((found) => found.length > 0)) {
        problems.push(...attempts.sort((a, b) => a.length - b.length)[0]);
      }
      return;
    }
    default:
      return;
  }
}
