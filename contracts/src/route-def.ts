import type { z } from 'zod';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export type RouteDef = {
  method: Method;
  path: string;
  summary: string;
  tags: string[];
  /** Whether the route needs a signed-in user. */
  auth: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The success response; `multipart` routes take form data instead of `body`. */
  response: z.ZodType;
  status?: number;
  multipart?: boolean;
};

export const route = <const R extends RouteDef>(r: R): R => r;
