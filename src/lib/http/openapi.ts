/** OpenAPI pieces both Workers share: the contract's error body and response helpers. */
import { z } from '@hono/zod-openapi';
import { errorStatus, type ErrorBody as ErrorBodyShape, type ErrorCode } from './errors';

/** The OpenAPI form of errors.ts's ErrorBody (the compiler keeps the two the same shape). */
export const ErrorBody = z.object({
  error: z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]), message: z.string(),
  details: z.array(z.object({ field: z.string(), problem: z.string() })).optional(),
  retryAfter: z.number().int().optional(),
}).openapi('Error') satisfies z.ZodType<ErrorBodyShape>;

export const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
