/** Where in a file a problem sits, 1-based, as compilers and editors count. */
export interface SourceLocation {
  readonly line: number;
  readonly column: number;
}

/** One problem in a cluster definition, with what it takes to fix it. */
export class DefinitionError {
  constructor(
    /** Path of the definition file, relative to the project: `clusters/prod-east.ts`. */
    readonly file: string,
    /** Field path inside the definition: `nodePools[2].machineTypes.add[0]`; empty for the file as a whole. */
    readonly path: string,
    /** What is wrong, with the value seen. */
    readonly problem: string,
    /** How to fix it. */
    readonly fix: string,
    readonly severity: 'error' | 'warning' = 'error',
    /** Set for problems found in the source text (a syntax error, a throw at import). */
    readonly location?: SourceLocation,
  ) {}

  toString(): string {
    // `file:line:column` is what editors and terminals turn into a link.
    const file = this.location ? `${this.file}:${this.location.line}:${this.location.column}` : this.file;
    const where = this.path ? `${file}: ${this.path}` : file;
    return `${where}: ${this.problem}\n  ${this.fix}`;
  }
}

/** Thrown by synthesis when the fleet has errors; carries all of them, not the first. */
export class FleetDefinitionErrors extends Error {
  constructor(readonly errors: readonly DefinitionError[]) {
    super(`${errors.length} problem${errors.length === 1 ? '' : 's'} in the cluster definitions; nothing was written:\n${errors.map((e) => e.toString()).join('\n')}`);
    this.name = 'FleetDefinitionErrors';
  }
}
