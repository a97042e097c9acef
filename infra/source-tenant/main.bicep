// For a source subscription in another tenant (or another subscription of the app's tenant), deployed by that
// subscription's owner: the subscription's Resource events to the app's Entra-protected webhook /api/events,
// filtered as the Kusto side (contract/eventFilter.json), and the multi-tenant app's service principal granted
// access to the sources' resource group. See infra/README.md, "Onboarding a source tenant".
targetScope = 'subscription'

@description('The app\'s webhook: the AZURE_FUNCTION_APP_URL output of the app\'s deployment + /api/events.')
param eventsWebhookUrl string

@description('The app\'s tenant (where its API app registration lives): Event Grid gets its delivery token there.')
param appTenantId string

@description('The API app registration\'s client ID or identifier URI (API_APP_ID / API_IDENTIFIER_URI outputs).')
param apiApplicationIdOrUri string

@description('Object ID of the multi-tenant app\'s service principal in THIS tenant (after admin consent).')
param crossTenantServicePrincipalObjectId string

@minLength(1)
@description('Resource group of the sources (Event Hubs namespaces) the app may connect to.')
param sourceResourceGroupName string

@description('''Role granted to the app's service principal on that resource group. Empty (default): a narrow custom
role with contract/customRoleActions.json's sourceTenantRole (list the namespace keys Kusto's key-mode connection
needs, read the sources, read role assignments and definitions). Or a built-in role's GUID, e.g.
f526a384-b230-433a-b45c-95f59c4a2dec (Azure Event Hubs Data Owner), which also grants data send/receive and
every management action on the namespaces.''')
param roleDefinitionGuid string = ''

@description('Resource group for this subscription\'s Event Grid system topic (one per subscription); default the sources\' group.')
param eventsResourceGroupName string = ''

@description('Short name that makes the role and topic names unique per onboarding.')
param name string = 'adx-lifecycle'

var contract = loadJsonContent('../contract/customRoleActions.json')
var eventFilter = loadJsonContent('../contract/eventFilter.json')
var sourceScope = '${subscription().id}/resourceGroups/${sourceResourceGroupName}'
var narrowRoleGuid = guid(subscription().id, name, contract.sourceTenantRole.roleName)

resource narrowRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (empty(roleDefinitionGuid)) {
  name: narrowRoleGuid
  properties: {
    roleName: '${contract.sourceTenantRole.roleName} (${name})'
    description: contract.sourceTenantRole.description
    type: 'CustomRole'
    permissions: [
      {
        actions: map(contract.sourceTenantRole.actions, a => a.action)
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [sourceScope]
  }
}

module access '../app/roleAssignment.bicep' = {
  name: 'source-access-${uniqueString(name, sourceResourceGroupName)}'
  scope: resourceGroup(sourceResourceGroupName)
  params: {
    principalId: crossTenantServicePrincipalObjectId
    roleDefinitionGuid: empty(roleDefinitionGuid) ? narrowRoleGuid : roleDefinitionGuid
  }
  dependsOn: [narrowRole]
}

module events 'sourceEvents.bicep' = {
  name: 'source-events-${uniqueString(name)}'
  scope: resourceGroup(!empty(eventsResourceGroupName) ? eventsResourceGroupName : sourceResourceGroupName)
  params: {
    systemTopicName: 'evgst-${name}-${uniqueString(subscription().id, name)}'
    sourceSubscriptionId: subscription().subscriptionId
    eventsWebhookUrl: eventsWebhookUrl
    appTenantId: appTenantId
    apiApplicationIdOrUri: apiApplicationIdOrUri
    eventTypes: eventFilter.eventTypes
    operationNames: map(eventFilter.operations, o => o.operationName)
  }
}

output SOURCE_TENANT_ID string = tenant().tenantId
output SOURCE_SERVICE_PRINCIPAL_OBJECT_ID string = crossTenantServicePrincipalObjectId
output SOURCE_ROLE_ASSIGNMENT_ID string = access.outputs.roleAssignmentId
output SOURCE_SYSTEM_TOPIC_ID string = events.outputs.systemTopicId
