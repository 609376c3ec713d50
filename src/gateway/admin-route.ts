import type { z } from 'zod';

export type AdminMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/**
 * One admin API operation, declared once: the router serves it, validates its
 * body with `body`, the OpenAPI document describes it, and the CLI's typed
 * client calls it. Holds no server code, so clients import it freely.
 */
export interface AdminRoute<
  Path extends string = string,
  Body extends z.ZodType | undefined = z.ZodType | undefined,
  Response extends z.ZodType | null = z.ZodType | null,
> {
  method: AdminMethod;
  /** Below `/_nimbus/api/v1`; `:name` is one segment, `:name*` the rest of the path. */
  path: Path;
  summary: string;
  /** The JSON body, validated by the router before the handler runs (a 400 naming the field). */
  body?: Body;
  /** Largest JSON body read, in bytes (1 MiB when absent). */
  maxBodyBytes?: number;
  /** A body the handler reads itself (raw bytes, streamed): documented, not parsed by the router. */
  rawBody?: { contentType: string; description: string };
  /** Query parameters, each with what it means. */
  query?: Record<string, string>;
  /** The success body; null for a route that answers 204 with none. */
  response: Response;
  /** Success statuses (200 when absent; 204 when `response` is null). */
  statuses?: readonly number[];
  /** Another content type the success answer may have (a stream or raw bytes), and when. */
  alternative?: { contentType: string; description: string };
}

/** Keeps a route's literal path and schema types for the typed client. */
export function adminRoute<const Path extends string, Body extends z.ZodType | undefined = undefined, Response extends z.ZodType | null = null>(
  route: AdminRoute<Path, Body, Response>,
): AdminRoute<Path, Body, Response> {
  return route;
}

/** The names of a path's parameters: `/apps/:app/secrets/:name` → 'app' | 'name'. */
export type PathParams<Path extends string> = Path extends `${string}:${infer Param}/${infer Rest}`
  ? StripRest<Param> | PathParams<`/${Rest}`>
  : Path extends `${string}:${infer Param}`
    ? StripRest<Param>
    : never;
type StripRest<P extends string> = P extends `${infer Name}*` ? Name : P;

/** What a route's handler gets as its body, and what its result and the client's answer carry. */
export type RouteBody<R> = R extends AdminRoute<string, infer B, z.ZodType | null> ? (B extends z.ZodType ? z.output<B> : undefined) : never;
export type RouteRequestBody<R> = R extends AdminRoute<string, infer B, z.ZodType | null> ? (B extends z.ZodType ? z.input<B> : undefined) : never;
export type RouteResponse<R> = R extends AdminRoute<string, z.ZodType | undefined, infer Res> ? (Res extends z.ZodType ? z.output<Res> : null) : never;
