/** One problem in a cluster definition, with what it takes to fix it. */
export class DefinitionError {
  constructor(
    /** Path of the definition file, relative to the project: `clusters/prod-east.ts`. */
    readonly file: string,
    /** Field path inside the definition: `nodePools[2].machineTypes.add[0]`. */
    readonly path: string,
    /** What is wrong, with the value seen. */
    readonly problem: string,
    /** How to fix it. */
    readonly fix: string,
    readonly severity: 'error' | 'warning' = 'error',
  ) {}

  toString(): string {
    const where = this.path ? `${this.file}: ${this.path}` : this.file;
    return `${where}: ${this.problem}\n  ${this.fix}`;
  }
}

/** Thrown by synthesis when the fleet has errors; carries all of them, not the first. */
export class FleetDefinitionErrors extends Error {
  constructor(readonly errors: readonly DefinitionError[]) {
    super(
      `${errors.length} problem${errors.length === 1 ? '' : 's'} in the cluster definitions; nothing was written:\n` +
        errors.map((e) => e.toString()).join('\n'),
    );
    this.name = 'FleetDefinitionErrors';
  }
}
