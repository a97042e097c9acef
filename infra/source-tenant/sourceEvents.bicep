// A source subscription's Resource events to the app's Entra-protected webhook. Event Grid authenticates with a
// token for the API app registration (role AzureEventGridSecureWebhookSubscriber); the app re-verifies every
// event against live state before acting, so a forged or replayed event changes nothing.
param systemTopicName string
param sourceSubscriptionId string
param eventsWebhookUrl string
param appTenantId string
param apiApplicationIdOrUri string
param eventTypes array
param operationNames array

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: 'global'
  properties: {
    source: '/subscriptions/${sourceSubscriptionId}'
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

resource toApp 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: 'adx-connection-lifecycle'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: eventsWebhookUrl
        azureActiveDirectoryTenantId: appTenantId
        azureActiveDirectoryApplicationIdOrUri: apiApplicationIdOrUri
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: eventTypes
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: operationNames
        }
      ]
    }
    // As on the Kusto side (infra/app/revocationEvents.bicep): the maximum, because a lost event leaves a key-mode
    // connection ingesting. No dead-letter here: it would need storage in this tenant; the app's audit re-checks
    // every connection's access on its schedule.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output systemTopicId string = systemTopic.id
