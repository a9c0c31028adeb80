/**
 * Stands in for `@modelcontextprotocol/server/_shims` in the CLI bundle (see
 * scripts/bundle.mjs). The SDK's Node shim brings Ajv (~320 KB of the bundle)
 * into every start, for validating elicitation answers against the server's
 * form, which bgbash never asks for. Here Ajv is loaded on first use, from
 * the same package, so `bgbash serve` parses less before its first answer.
 */
import { createRequire } from 'node:module';
import process from 'node:process';

interface Validator {
  getValidator(schema: unknown): unknown;
}

const load = createRequire(import.meta.url);

export class DefaultJsonSchemaValidator implements Validator {
  private real: Validator | null = null;

  getValidator(schema: unknown): unknown {
    if (!this.real) {
      const shims = load('@modelcontextprotocol/server/_shims') as { DefaultJsonSchemaValidator: new () => Validator };
      this.real = new shims.DefaultJsonSchemaValidator();
    }
    return this.real.getValidator(schema);
  }
}

export { process };
