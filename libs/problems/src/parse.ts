import { z } from 'zod';
import { FieldError, UnprocessableError, ValidationError } from './domain-error';

/** Well-formed input the API still will not take: answered 422 rather than 400 when they are the only errors. */
const UNPROCESSABLE_CODES = new Set(['bidi_control']);

/** Field errors in the API's shape, from a zod failure. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const field = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: field ? `${field}.${key}` : key,
        code: 'unknown_field',
        message: `"${key}" is not a field of this request.`,
      }));
    }
    // The input rules (input-rules.ts) name their own codes: invalid_unicode, control_character, invalid_date, …
    const own = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
    return [{ field, code: typeof own === 'string' ? own : issue.code, message: issue.message }];
  });
}

/** Parses input with a schema, or throws a 400 ValidationError naming every bad field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, message?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const errors = fieldErrors(result.error);
    if (errors.every((e) => UNPROCESSABLE_CODES.has(e.code))) {
      throw new UnprocessableError(errors[0].code, `${errors.map((e) => `${e.field || 'The body'} ${e.message}`).join('; ')}.`, errors);
    }
    throw new ValidationError(errors, message);
  }
  return result.data;
}
