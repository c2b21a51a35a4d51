/** OpenAPI pieces both Workers share: the contract's error body and response helpers. */
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { errorStatus, type ErrorBody as ErrorBodyShape, type ErrorCode } from './errors';

/** The OpenAPI form of errors.ts's ErrorBody (the compiler keeps the two the same shape). */
export const ErrorBody = z
  .object({
    error: z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.array(z.object({ field: z.string(), problem: z.string() })).optional(),
    retryAfter: z.number().int().optional(),
  })
  .openapi('Error') satisfies z.ZodType<ErrorBodyShape>;

export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBody } },
});
/** Publishes the app's routes as an OpenAPI 3.1 document at GET /openapi.json, with Bearer auth declared. */
export function publishOpenApi<E extends Env>(app: OpenAPIHono<E>, info: { title: string; description: string }): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.doc31('/openapi.json', { openapi: '3.1.0', info: { ...info, version: '1.0.0' } });
}

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
