// Route validators built on a route's first request instead of at start. fastify compiles every
// route's request schemas with ajv while the server starts (~10% of the CPU before the first
// answer: BENCHMARKS.md "startup"), and most routes are not called soon after a start, many
// never in a given run. The compiler is fastify's own (@fastify/ajv-compiler), with the options
// fastify gives it (SCHEMA_COMPILER_OPTIONS): only when it runs changes. `compileAll` does at once
// what fastify would have done at start; test/server/route-schemas.test.ts calls it, so a schema
// ajv cannot compile fails a test rather than a user's first request.
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

type Validate = ((data: unknown) => unknown) & { errors?: unknown };

export interface LazyValidators {
  schemaController: NonNullable<FastifyServerOptions['schemaController']>;
  /** Compiles every validator not compiled yet; returns how many validators the routes have. */
  compileAll(): number;
}

export function lazyValidators(): LazyValidators {
  const fromPool = AjvCompiler();
  const compilers: Array<() => Validate> = [];
  return {
    schemaController: {
      compilersFactory: {
        buildValidator(externalSchemas, options) {
          const compile = fromPool(externalSchemas, options);
          return (route) => {
            let validate: Validate | undefined;
            const compiled = () => (validate ??= compile(route) as Validate);
            compilers.push(compiled);
            // fastify reads `errors` from the function it was given, after each call.
            const lazy: Validate = (data) => {
              const valid = compiled()(data);
              lazy.errors = validate!.errors;
              return valid;
            };
            return lazy as ReturnType<typeof compile>;
          };
        },
      },
    },
    compileAll() {
      for (const compiled of compilers) compiled();
      return compilers.length;
    },
  };
}
