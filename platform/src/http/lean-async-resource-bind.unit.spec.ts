import { AsyncLocalStorage, AsyncResource, executionAsyncId, triggerAsyncId } from 'node:async_hooks';
import { installLeanAsyncResourceBind } from './lean-async-resource-bind';

describe('installLeanAsyncResourceBind', () => {
  beforeAll(() => installLeanAsyncResourceBind());

  it('runs the bound function in the resource’s async scope', async () => {
    const resource = new AsyncResource('test');
    const bound = resource.bind(() => [executionAsyncId(), triggerAsyncId()]);
    // Called later, from another scope, as a parser's `done` is.
    const ids = await new Promise<number[]>((resolve) => setImmediate(() => resolve(bound())));
    expect(ids).toEqual([resource.asyncId(), resource.triggerAsyncId()]);
  });

  it('carries the AsyncLocalStorage store of where it was bound, as AsyncResource.bind does', async () => {
    const storage = new AsyncLocalStorage<string>();
    const bound = storage.run('request 1', () => AsyncResource.bind(() => storage.getStore()));
    const seen = await new Promise((resolve) => storage.run('another', () => setImmediate(() => resolve(bound()))));
    expect(seen).toBe('request 1');
  });

  it('passes the arguments, the caller’s `this` and the result through', () => {
    const resource = new AsyncResource('test');
    const bound = resource.bind(function (this: { base: number }, a: number, b: number) {
      return this.base + a + b;
    });
    expect(bound.call({ base: 100 }, 2, 3)).toBe(105);
  });

  it('binds `this` when given one, and keeps the original function’s length', () => {
    const bound = AsyncResource.bind(function (this: { base: number }, a: number) {
      return this.base + a;
    }, 'test', { base: 10 });
    expect(bound.call({ base: 1000 }, 5)).toBe(15);
    expect(bound.length).toBe(1);
    expect(new AsyncResource('test').bind((a: number, b: number, c: number) => a + b + c).length).toBe(3);
  });

  it('lets an error thrown by the function reach the caller', () => {
    const bound = new AsyncResource('test').bind(() => {
      throw new Error('parse failed');
    });
    expect(() => bound()).toThrow('parse failed');
  });

  it('refuses what is not a function, as Node does', () => {
    const resource = new AsyncResource('test');
    expect(() => resource.bind('done' as unknown as () => void)).toThrow(TypeError);
  });

  it('gives the bound function no deprecated `asyncResource` accessor, installed again or not', () => {
    installLeanAsyncResourceBind();
    const bound = new AsyncResource('test').bind(() => 1);
    expect(Object.getOwnPropertyNames(bound)).not.toContain('asyncResource');
    expect(AsyncResource.prototype.bind.name).toBe('leanBind');
  });
});
