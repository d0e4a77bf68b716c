// Fills the OpenAPI registry from the app's controllers once Nest has built them: every route is
// listed with the method and path Nest routes it by, plus what its `@ApiRoute` declares.
import { Injectable, type OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { API_ROUTE_METADATA, type ApiRouteSpec, type HttpMethod, OpenApiRegistry } from './openapi';

const DOCUMENTED_METHODS: ReadonlySet<string> = new Set<HttpMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

function pathsOf(metadata: unknown): string[] {
  if (Array.isArray(metadata)) return metadata.map(String);
  return [typeof metadata === 'string' ? metadata : ''];
}

function joinPath(...segments: string[]): string {
  const joined = segments
    .flatMap((segment) => segment.split('/'))
    .filter((segment) => segment.length > 0)
    .join('/');
  return `/${joined}`;
}

@Injectable()
export class OpenApiExplorer implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly registry: OpenApiRegistry,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype;
      if (typeof controller !== 'function') continue;
      const prototype = controller.prototype as Record<string, unknown>;
      const controllerPaths = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[methodName];
        if (typeof handler !== 'function') continue;
        const routePath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        if (routePath === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        if (!method || !DOCUMENTED_METHODS.has(method)) continue;
        const spec = (Reflect.getMetadata(API_ROUTE_METADATA, handler) as ApiRouteSpec | undefined) ?? {};
        const httpCode = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
        for (const controllerPath of controllerPaths) {
          for (const path of pathsOf(routePath)) {
            this.registry.add({
              ...spec,
              ...(spec.status === undefined && httpCode !== undefined ? { status: httpCode } : {}),
              method: method as HttpMethod,
              path: joinPath(controllerPath, path),
            });
          }
        }
      }
    }
  }
}
