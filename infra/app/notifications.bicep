// The notifications custom topic (adx.connection.* CloudEvents): Entra-only publishing (no access keys), with
// EventGrid Data Sender for the UAMI.
param name string
param location string
param tags object
param principalId string

module topic 'br/public:avm/res/event-grid/topic:0.9.1' = {
  name: 'notifications-topic'
  params: {
    name: name
    location: location
    tags: tags
    disableLocalAuth: true
  }
}

resource customTopic 'Microsoft.EventGrid/topics@2025-02-15' existing = {
  name: name
}

var eventGridDataSender = 'd5a91429-5739-47e2-a06b-3470a27159e7' // EventGrid Data Sender

resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(customTopic.id, principalId, eventGridDataSender)
  scope: customTopic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridDataSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
  dependsOn: [topic]
}

output endpoint string = customTopic.properties.endpoint
