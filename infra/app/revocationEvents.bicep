// The Kusto subscription's Resource events, delivered to the revocation function: a system topic on the
// subscription (one per subscription) and, once the function exists, an event subscription filtered by
// contract/eventFilter.json, dead-lettering to blob storage with the UAMI.
param systemTopicName string
param sourceSubscriptionId string
param identityResourceId string
param functionAppResourceId string
param functionName string
@description('False on the first provision: an AzureFunction destination is validated against a deployed function.')
param createEventSubscription bool
param deadLetterStorageAccountResourceId string
param deadLetterContainerName string
param tags object

var eventFilter = loadJsonContent('../contract/eventFilter.json')

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: 'global'
  tags: tags
  // The app's one identity: Event Grid writes dead letters with it (Storage Blob Data Owner on the account).
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    source: '/subscriptions/${sourceSubscriptionId}'
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

resource toRevocationFunction 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = if (createEventSubscription) {
  parent: systemTopic
  name: 'revocation'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppResourceId}/functions/${functionName}'
        // One event per delivery: a failing event is retried (and dead-lettered) alone, never its neighbours.
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: eventFilter.eventTypes
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: map(eventFilter.operations, o => o.operationName)
        }
      ]
    }
    // On purpose, the maximum: a lost revocation event leaves a key-mode connection ingesting after access was
    // removed. The handler is idempotent (replays are no-ops) and rethrows transient failures (ARM throttling, a
    // cold start) so Event Grid retries; 30 attempts over 24 hours ride out an outage, then the event is
    // dead-lettered for inspection and the audit timer re-checks every connection anyway.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'UserAssigned'
        userAssignedIdentity: identityResourceId
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageAccountResourceId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output systemTopicId string = systemTopic.id
