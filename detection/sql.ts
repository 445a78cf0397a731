import { FilterPattern, parseFilterPattern, PatternValue, Selector } from "./filterPattern";

/**
 * The SQL twin of a CloudWatch Logs filter pattern: a condition over Athena's CloudTrail table
 * (the columns of "Query AWS CloudTrail logs" in the Athena User Guide: lowercase names,
 * `useridentity` a struct, `requestparameters`, `responseelements`, `additionaleventdata` and
 * `serviceeventdetails` JSON text), so a back-test counts exactly what the deployed filter counts.
 * https://docs.aws.amazon.com/athena/latest/ug/cloudtrail-logs.html
 *
 * Rendered for Athena (Trino) and for DuckDB, the embedded engine the tests execute it in. The
 * differences bridged, each with its reason:
 * - JSON text: Athena's `json_extract_scalar(col, '$.a.b')`, DuckDB's `json_extract_string`; both
 *   give NULL for a missing path and for an object or array, where the filter's comparison is
 *   false too.
 * - Everything else is the common subset: struct fields as `col.field`, `=`/`<>`, `LIKE ... ESCAPE`,
 *   `IS [NOT] NULL`, `TRY_CAST(... AS DOUBLE)`.
 * What the table cannot tell, and the twin therefore treats alike: a field that is absent and one
 * that is JSON null (both NULL in a column), and a number from a string of the same text (the
 * columns are strings). CloudTrail writes neither for the fields the deployed patterns read.
 */

export type SqlDialect = "athena" | "duckdb";

export class SqlCompileError extends Error {}

/** Top-level string columns, by the record's field name. */
const SCALAR_COLUMNS: Readonly<Record<string, string>> = Object.fromEntries(
  [
    "eventVersion",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestId",
    "eventId",
    "eventType",
    "apiVersion",
    "readOnly",
    "recipientAccountId",
    "sharedEventId",
    "vpcEndpointId",
    "eventCategory",
    "managementEvent",
  ].map((field) => [field, field.toLowerCase()]),
);
// CloudTrail's record spells these `requestID` and `eventID`.
const SCALAR_ALIASES: Readonly<Record<string, string>> = {
  requestID: "requestid",
  eventID: "eventid",
};

/** Columns holding a JSON document as text. */
const JSON_COLUMNS: Readonly<Record<string, string>> = {
  requestParameters: "requestparameters",
  responseElements: "responseelements",
  additionalEventData: "additionaleventdata",
  serviceEventDetails: "serviceeventdetails",
};

/** The fields of the `useridentity` struct the table declares. */
const USER_IDENTITY_FIELDS: Readonly<Record<string, string>> = Object.fromEntries(
  ["type", "principalId", "arn", "accountId", "invokedBy", "accessKeyId", "userName"].map((f) => [
    f,
    f.toLowerCase(),
  ]),
);

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The SQL expression of a selector's value, as text (NULL when absent or not a scalar). */
function column(selector: Selector, dialect: SqlDialect, exists = false): string {
  const [head, ...rest] = selector.path;
  if (typeof head !== "string") {
    throw new SqlCompileError(`${selector.text}: the record is not an array`);
  }
  if (head === "userIdentity") {
    if (rest.length !== 1 || typeof rest[0] !== "string" || !(rest[0] in USER_IDENTITY_FIELDS)) {
      throw new SqlCompileError(
        `${selector.text}: the CloudTrail table's useridentity struct has no such field (it has ${Object.keys(USER_IDENTITY_FIELDS).join(", ")})`,
      );
    }
    return `useridentity.${USER_IDENTITY_FIELDS[rest[0]]}`;
  }
  const scalar = SCALAR_COLUMNS[head] ?? SCALAR_ALIASES[head];
  if (scalar !== undefined) {
    if (rest.length > 0) {
      throw new SqlCompileError(`${selector.text}: ${head} is a string column, it has no fields`);
    }
    return scalar;
  }
  const json = JSON_COLUMNS[head];
  if (json !== undefined) {
    if (rest.length === 0) {
      throw new SqlCompileError(`${selector.text}: compare a field of ${head}, not the document`);
    }
    const path = rest
      .map((segment) => {
        if (typeof segment === "number") {
          return `[${segment}]`;
        }
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) {
          throw new SqlCompileError(
            `${selector.text}: the field name ${segment} needs quoting in a JSON path`,
          );
        }
        return `.${segment}`;
      })
      .join("");
    // Existence asks for any JSON value there, an object or null included: json_extract (JSON,
    // SQL NULL only when the path is missing); a comparison asks for a scalar's text.
    const fn = exists
      ? "json_extract"
      : dialect === "athena"
        ? "json_extract_scalar"
        : "json_extract_string";
    return `${fn}(${json}, ${quote(`$${path}`)})`;
  }
  throw new SqlCompileError(`${selector.text}: the CloudTrail table has no column for ${head}`);
}

/** `=` of the filter as SQL: exact, or a LIKE for a `*` wildcard. */
function equality(expression: string, value: PatternValue): string {
  const text = value.text;
  if (value.kind === "number" || !text.includes("*")) {
    return `${expression} = ${quote(text)}`;
  }
  if (text === "*") {
    return `${expression} IS NOT NULL`;
  }
  const leading = text.startsWith("*");
  const trailing = text.endsWith("*");
  const core = text.slice(leading ? 1 : 0, trailing ? -1 : undefined);
  if (core.includes("*")) {
    throw new SqlCompileError(`"${text}": a * inside a value is not a filter-pattern wildcard`);
  }
  const escaped = core.replace(/[\\%_]/g, (character) => `\\${character}`);
  return `${expression} LIKE ${quote(`${leading ? "%" : ""}${escaped}${trailing ? "%" : ""}`)} ESCAPE '\\'`;
}

function render(pattern: FilterPattern, dialect: SqlDialect): string {
  switch (pattern.kind) {
    case "and":
    case "or":
      return `(${pattern.operands.map((operand) => render(operand, dialect)).join(pattern.kind === "and" ? " AND " : " OR ")})`;
    case "exists":
      return `${column(pattern.selector, dialect, true)} ${pattern.negated ? "IS NULL" : "IS NOT NULL"}`;
    case "compare": {
      const expression = column(pattern.selector, dialect);
      switch (pattern.operator) {
        case "=":
          return `(${equality(expression, pattern.value)})`;
        case "!=":
          // The filter's != needs the field: a missing one is no match.
          return `(${expression} IS NOT NULL AND NOT (${equality(expression, pattern.value)}))`;
        default:
          if (pattern.value.kind !== "number") {
            throw new SqlCompileError(
              `${pattern.selector.text} ${pattern.operator} "${pattern.value.text}": the filter compares numbers only`,
            );
          }
          return `(TRY_CAST(${expression} AS DOUBLE) ${pattern.operator} ${pattern.value.value})`;
      }
    }
    case "is":
      throw new SqlCompileError(
        `${pattern.selector.text} IS ${pattern.literal}: the CloudTrail table keeps no JSON literals apart from text`,
      );
    default: {
      const never: never = pattern;
      throw new SqlCompileError(`unknown pattern ${JSON.stringify(never)}`);
    }
  }
}

/** The SQL condition of a filter pattern's text; throws SqlCompileError for what it cannot say. */
export function patternToSql(text: string, dialect: SqlDialect): string {
  return render(parseFilterPattern(text), dialect);
}
