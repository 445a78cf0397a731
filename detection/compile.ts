import {
  evaluateFilterPattern,
  FilterPattern,
  mustContainAny,
  parseFilterPattern,
} from "./filterPattern";
import { ROOT_DETECTIONS, RootDetection } from "./patterns";
import { ReplayDetection } from "./replay";

export interface CompiledDetections {
  readonly detections: ReplayDetection[];
  /**
   * Literals at least one of which every matching record's text contains: records without any
   * are counted but never parsed. Undefined when some pattern gives no such guarantee.
   */
  readonly mustContain: string[] | undefined;
}

/** The literal sets a pattern offers: one per conjunct of a top-level `&&`, any one of which is sound. */
function literalAlternatives(pattern: FilterPattern): string[][] {
  const operands = pattern.kind === "and" ? pattern.operands : [pattern];
  return operands
    .map(mustContainAny)
    .filter((literals): literals is string[] => literals !== undefined);
}

/** True when every record containing one of `literals` also contains one of `chosen`. */
function coveredBy(literals: readonly string[], chosen: ReadonlySet<string>): boolean {
  return literals.every((literal) => [...chosen].some((anchor) => literal.includes(anchor)));
}

/**
 * Chooses one literal set per pattern so that their union is as selective as possible: a set
 * whose literals all contain a literal already chosen costs nothing (`AssumeRoot` contains
 * `Root`), so patterns that must name `Root` anchor the choice for the others.
 */
export function chooseLiterals(patterns: readonly FilterPattern[]): string[] | undefined {
  const alternatives = patterns.map(literalAlternatives);
  if (alternatives.some((options) => options.length === 0)) {
    return undefined;
  }
  const chosen = new Set<string>();
  // Patterns with one option first: they fix literals the others can reuse.
  const order = alternatives
    .map((options, index) => ({ options, index }))
    .sort((a, b) => a.options.length - b.options.length);
  for (const { options } of order) {
    const free = options.find((literals) => coveredBy(literals, chosen));
    if (free !== undefined) {
      continue;
    }
    const best = [...options].sort(
      (a, b) =>
        a.length - b.length ||
        Math.min(...b.map((l) => l.length)) - Math.min(...a.map((l) => l.length)),
    )[0];
    best.forEach((literal) => chosen.add(literal));
  }
  // A literal that contains another chosen one adds nothing.
  return [...chosen]
    .filter((literal) => ![...chosen].some((other) => other !== literal && literal.includes(other)))
    .sort();
}

/** The deployed detections, compiled once: the same pattern strings the metric filters carry. */
export function compileDeployedDetections(
  detections: readonly RootDetection[] = ROOT_DETECTIONS,
): CompiledDetections {
  const parsed = detections.map((detection) => ({
    detection,
    ast: parseFilterPattern(detection.pattern),
  }));
  return {
    detections: parsed.map(({ detection, ast }) => ({
      name: detection.name,
      pattern: detection.pattern,
      matches: (record: unknown) => evaluateFilterPattern(ast, record),
    })),
    mustContain: chooseLiterals(parsed.map(({ ast }) => ast)),
  };
}
