// What every HTTP service answers besides its own routes: liveness, readiness, Prometheus metrics
// and the OpenAPI document. Imported once, at the root of the app; feature modules get the
// OpenAPI registry from it if they declare routes by hand.
import { Controller, type DynamicModule, Get, Header, Inject, Module, Res, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { DEFAULT_READINESS_TIMEOUT_MS, LIVENESS_BODY, type ReadinessCheck, readinessResponse, runReadinessChecks } from '../observability/health';
import { renderMetrics } from '../observability/metrics';
import { ApiRoute, OpenApiRegistry, type OpenApiDocument, renderDocsHtml } from './openapi';
import { OpenApiExplorer } from './openapi-explorer';

export interface ServiceShellOptions {
  readonly serviceName: string;
  /** The stores the service needs; `/health/ready` answers 200 only when every one of them answers. */
  readonly readinessChecks?: readonly ReadinessCheck[];
  readonly readinessTimeoutMs?: number;
  /** The API version shown in the OpenAPI document. */
  readonly apiVersion?: string;
}

export const SERVICE_SHELL_OPTIONS = Symbol('SERVICE_SHELL_OPTIONS');

const livenessSchema = z.object({ status: z.literal('ok') });
const readinessSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
});

const openApiDocumentSchema = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

@Controller('health')
export class HealthController {
  constructor(@Inject(SERVICE_SHELL_OPTIONS) private readonly options: ServiceShellOptions) {}

  @Get('live')
  @ApiRoute({ summary: 'The process answers', tags: ['operations'], response: livenessSchema })
  live(): typeof LIVENESS_BODY {
    return LIVENESS_BODY;
  }

  @Get('ready')
  @ApiRoute({
    summary: 'Every store the service needs answers',
    tags: ['operations'],
    response: readinessSchema,
    otherResponses: { 503: { description: 'A store does not answer', schema: readinessSchema } },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReturnType<typeof readinessResponse>['body']> {
    const report = await runReadinessChecks(this.options.readinessChecks ?? [], this.options.readinessTimeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS);
    const { status, body } = readinessResponse(report);
    void reply.status(status);
    return body;
  }
}

@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiRoute({ summary: 'Prometheus metrics, text exposition format', tags: ['operations'], responseContentType: 'text/plain' })
  async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await renderMetrics();
    void reply.type(contentType);
    return body;
  }
}

@Controller('api')
export class DocsController {
  constructor(
    @Inject(SERVICE_SHELL_OPTIONS) private readonly options: ServiceShellOptions,
    private readonly registry: OpenApiRegistry,
  ) {}

  @Get('docs-json')
  @ApiRoute({ summary: 'This OpenAPI document', tags: ['discovery'], response: openApiDocumentSchema })
  documentJson(): OpenApiDocument {
    return this.document();
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiRoute({ summary: 'This OpenAPI document as a readable page', tags: ['discovery'], responseContentType: 'text/html' })
  documentPage(): string {
    return renderDocsHtml(this.document());
  }

  private document(): OpenApiDocument {
    return this.registry.document({
      title: 'Chat API',
      version: this.options.apiVersion ?? '0.1.0',
      description: `Served by ${this.options.serviceName}.`,
    });
  }
}

@Module({})
export class ServiceShellModule {
  static forRoot(options: ServiceShellOptions): DynamicModule {
    return {
      module: ServiceShellModule,
      global: true,
      imports: [DiscoveryModule],
      controllers: [HealthController, MetricsController, DocsController],
      providers: [{ provide: SERVICE_SHELL_OPTIONS, useValue: options }, OpenApiRegistry, OpenApiExplorer],
      exports: [OpenApiRegistry],
    };
  }
}

type FeatureModule = Type<unknown> | DynamicModule;

/**
 * The root module of a service's app: the shell, once, and the service's feature modules. The
 * embedded app passes several services' modules to one root.
 */
@Module({})
export class ServiceRootModule {
  static forService(shell: ServiceShellOptions, features: readonly FeatureModule[]): DynamicModule {
    return { module: ServiceRootModule, imports: [ServiceShellModule.forRoot(shell), ...features] };
  }
}
