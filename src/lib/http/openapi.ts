/** OpenAPI pieces both Workers share: the contract's error body and response helpers. */
import { z } from '@hono/zod-openapi';

export const ErrorBody = z.object({
  error: z.string(), message: z.string(),
  details: z.array(z.object({ field: z.string(), problem: z.string() })).optional(),
  retryAfter: z.number().int().optional(),
}).openapi('Error');

export const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
