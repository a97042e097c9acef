// The audit's queue and blob clients, from the storage settings: a connection string locally (Azurite),
// the service URIs with the managed identity in Azure (identity-based connections, shared keys off).
import { QueueServiceClient, type QueueClient, type StoragePipelineOptions as QueuePipelineOptions } from "@azure/storage-queue";
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions as BlobPipelineOptions } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/identity";
import type { Settings } from "../config/settings";

export interface AuditStorageClients {
  /** Undefined when no queue storage is configured. */
  queue(name: string): QueueClient | undefined;
  /** Undefined when no blob storage is configured. */
  container(name: string): ContainerClient | undefined;
}

export interface AuditStorageOptions {
  storage: Settings["storage"];
  credential: TokenCredential;
  /**
   * Tests trust the emulator's CA with `{ tlsOptions: { ca } }`. The storage SDKs' option types do not list
   * tlsOptions, but they pass their options on to core-client's createClientPipeline, which applies them.
   */
  clientOptions?: { tlsOptions?: { ca?: string } };
}

export function createAuditStorageClients(options: AuditStorageOptions): AuditStorageClients {
  const { storage, credential } = options;
  const pipeline = (options.clientOptions ?? {}) as QueuePipelineOptions & BlobPipelineOptions;
  let queueService: QueueServiceClient | undefined;
  let blobService: BlobServiceClient | undefined;
  const queues = (): QueueServiceClient | undefined => {
    if (queueService) return queueService;
    if (storage.kind === "connectionString") queueService = QueueServiceClient.fromConnectionString(storage.connectionString, pipeline);
    else if (storage.kind === "identity" && storage.queueServiceUri) queueService = new QueueServiceClient(storage.queueServiceUri, credential, pipeline);
    return queueService;
  };
  const blobs = (): BlobServiceClient | undefined => {
    if (blobService) return blobService;
    if (storage.kind === "connectionString") blobService = BlobServiceClient.fromConnectionString(storage.connectionString, pipeline);
    else if (storage.kind === "identity" && storage.blobServiceUri) blobService = new BlobServiceClient(storage.blobServiceUri, credential, pipeline);
    return blobService;
  };
  return {
    queue: (name) => queues()?.getQueueClient(name),
    container: (name) => blobs()?.getContainerClient(name),
  };
}
