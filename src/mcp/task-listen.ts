/**
 * `notifications/tasks` for clients that ask for them: a `subscriptions/listen`
 * request may name task handles (`notifications.taskIds`, tasks extension).
 * The SDK's stdio entry serves subscriptions/listen but knows nothing of
 * tasks, so this wraps the wire under it: it takes `taskIds` out of the listen
 * request (the SDK's filter would refuse the unknown key), adds the handles
 * it honours to the SDK's acknowledgement, and sends each subscribed task's
 * status on that subscription, tagged with its id. Claude Code polls instead
 * (measured); other clients may listen.
 */
import { CLIENT_CAPABILITIES_META_KEY, SUBSCRIPTION_ID_META_KEY, type JSONRPCMessage, type Transport, type TransportSendOptions } from '@modelcontextprotocol/server';
import { TASKS_EXTENSION } from './peer.js';

type Id = string | number;
type Msg = { id?: Id; method?: string; params?: Record<string, unknown>; result?: unknown; error?: unknown };

export class TaskListenTap implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  /** Listen requests that asked for tasks, until the SDK acknowledges them. */
  private readonly pending = new Map<Id, string[]>();
  /** Open subscriptions: subscription id (the listen request's id) → handles. */
  private readonly subs = new Map<Id, Set<string>>();
  /** Which handles are ours to honour (set by the tasks extension). */
  honours: (handle: string) => boolean = () => false;

  constructor(private readonly inner: Transport) {
    inner.onmessage = (message, extra) => this.inbound(message as Msg, extra);
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  setProtocolVersion = (version: string): void => this.inner.setProtocolVersion?.(version);

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(this.outbound(message as Msg) as JSONRPCMessage, options);
  }

  /** Someone listens for this handle. */
  listened(handle: string): boolean {
    for (const set of this.subs.values()) if (set.has(handle)) return true;
    return false;
  }

  /** Sends a task's current state on every subscription that asked for it. */
  notify(handle: string, task: Record<string, unknown>): void {
    for (const [id, set] of this.subs) {
      if (!set.has(handle)) continue;
      const params = { ...task, _meta: { [SUBSCRIPTION_ID_META_KEY]: id } };
      this.inner.send({ jsonrpc: '2.0', method: 'notifications/tasks', params } as JSONRPCMessage).catch((err: Error) => this.onerror?.(err));
    }
  }

  private inbound(message: Msg, extra: unknown): void {
    if (message.method === 'subscriptions/listen' && message.id !== undefined) {
      const notifications = message.params?.notifications as Record<string, unknown> | undefined;
      const asked = notifications?.taskIds;
      if (asked !== undefined) {
        const caps = (message.params?._meta as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as { extensions?: Record<string, unknown> } | undefined;
        if (!caps?.extensions?.[TASKS_EXTENSION]) {
          const error = { code: -32021, message: `Missing required client capability: task notifications need the ${TASKS_EXTENSION} extension in this request's _meta clientCapabilities`, data: { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } } };
          this.inner.send({ jsonrpc: '2.0', id: message.id, error } as JSONRPCMessage).catch((err: Error) => this.onerror?.(err));
          return;
        }
        const handles = Array.isArray(asked) ? asked.filter((h): h is string => typeof h === 'string' && h.length <= 200).slice(0, 1000) : [];
        this.pending.set(message.id, handles);
        const rest = { ...notifications };
        delete rest.taskIds;
        message = { ...message, params: { ...message.params, notifications: rest } };
      }
    }
    if (message.method === 'notifications/cancelled') this.end((message.params as { requestId?: Id } | undefined)?.requestId);
    this.onmessage?.(message as JSONRPCMessage, extra as never);
  }

  private outbound(message: Msg): Msg {
    if (message.method === 'notifications/subscriptions/acknowledged') {
      const id = (message.params?._meta as Record<string, unknown> | undefined)?.[SUBSCRIPTION_ID_META_KEY] as Id | undefined;
      const asked = id !== undefined ? this.pending.get(id) : undefined;
      if (id !== undefined && asked) {
        this.pending.delete(id);
        const honoured = asked.filter((h) => this.honours(h));
        this.subs.set(id, new Set(honoured));
        const notifications = { ...((message.params?.notifications as Record<string, unknown> | undefined) ?? {}), taskIds: honoured };
        return { ...message, params: { ...message.params, notifications } };
      }
    }
    // The listen request's own result (or error) ends its subscription.
    if (message.method === undefined && message.id !== undefined) {
      this.end(message.id);
      this.pending.delete(message.id);
    }
    return message;
  }

  private end(id: Id | undefined): void {
    if (id !== undefined) this.subs.delete(id);
  }
}
