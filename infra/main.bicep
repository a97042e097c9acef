// adx-connection-lifecycle in Azure, for `azd up`: one resource group with the Flex Consumption function app,
// its one user-assigned identity, storage, monitoring and notifications topic; the custom role on the
// clusters' and sources' resource groups; the Kusto subscription's Resource events; the Entra app registrations.
// Values the code depends on come from infra/contract/*.json (loadJsonContent), tested in test/unit/infra.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('azd environment name: names every resource and tags them.')
param environmentName string

@minLength(1)
@description('Region of the resource group and the function app (a region with Flex Consumption).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Resource group of the app; default rg-{environmentName}.')
param resourceGroupName string = ''

@description('Subscription of the Kusto clusters the app manages (its Resource events feed revocation); empty: this one.')
param kustoSubscriptionId string = ''

@minLength(1)
@description('Resource group of the Kusto clusters in kustoSubscriptionId.')
param kustoResourceGroupName string

@description('Same-tenant resource groups holding sources ([{subscriptionId, resourceGroupName}]): the custom role is assigned there too (key-mode list keys, source reads).')
param sourceResourceGroups array = []

@description('Resource group in kustoSubscriptionId for the subscription\'s Event Grid system topic; default kustoResourceGroupName. A subscription has at most one system topic.')
param eventsResourceGroupName string = ''

@description('Name of the Event Grid triggered function that handles Resource events.')
param revocationFunctionName string = 'revocationEvents'

@description('Create the event subscription to the function. The function must exist first: azd sets this after the first deploy (azure.yaml postdeploy hook).')
param createEventSubscriptions bool = false

@description('The access policy (ACCESS_POLICY): {rules: [...]}, deny by default (schema: src/lib/auth/policy.ts, README). No rules: every write refused.')
param accessPolicy object = { rules: [] }

@description('Onboarded source tenants (SOURCE_TENANTS): [{tenantId, servicePrincipalObjectId}], the multi-tenant app\'s service principal in each.')
param sourceTenants array = []

@description('Prefix of the registry tables (REGISTRY_TABLE_PREFIX): letters and digits.')
param registryTablePrefix string = 'adx'

@minValue(0)
@maxValue(230000)
@description('How long an API request waits for Kusto before answering 202 (KUSTO_WAIT_MS).')
param kustoWaitInMs int = 20000

@allowed(['enforce', 'report'])
@description('REVOCATION_MODE: enforce deletes connections whose access was revoked; report only journals and notifies.')
param revocationMode string = 'enforce'

@description('EVENTS_ALLOWED_SOURCES: the other tenants\' system topics /api/events accepts, as [{tenantId, topic}] (one per onboarded source subscription).')
param eventSources array = []

@description('AUDIT_SCHEDULE: NCRONTAB (6 fields) of the scheduled compliance audit.')
param auditSchedule string = '0 0 */6 * * *'

@allowed(['report', 'enforce'])
@description('AUDIT_MODE: report only, or remediate the finding types of auditEnforceFindings.')
param auditMode string = 'report'

@description('AUDIT_ENFORCE_FINDINGS: the finding types enforce mode remediates.')
param auditEnforceFindings string = 'accessRevoked,sourceMissing,connectionMissing,specDrift'

@description('Create the Entra app registrations with the Microsoft Graph extension (public cloud only). False in sovereign clouds: run infra/scripts/createEntraApps.sh and pass the IDs below.')
param createEntraApps bool = true

@description('With createEntraApps false: the API app registration\'s client ID and identifier URI, and the multi-tenant app\'s client ID.')
param existingApiAppId string = ''
param existingApiIdentifierUri string = ''
param existingCrossTenantAppId string = ''

var tags = { 'azd-env-name': environmentName }
var token = toLower(uniqueString(subscription().id, environmentName, location))
var rgName = !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
var functionAppName = 'func-${environmentName}-${token}'
var storage = loadJsonContent('contract/storage.json')
var deploymentContainerName = 'app-package-${take(token, 12)}'
var cloudNames = {
  AzureCloud: 'AzurePublicCloud'
  AzureUSGovernment: 'AzureUSGovernment'
  AzureChinaCloud: 'AzureChinaCloud'
}
var kustoSubscription = !empty(kustoSubscriptionId) ? kustoSubscriptionId : subscription().subscriptionId
var managedResourceGroups = concat(
  [{ subscriptionId: kustoSubscription, resourceGroupName: kustoResourceGroupName }],
  sourceResourceGroups
)

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: rgName
  location: location
  tags: tags
}

// The one identity of the app: host storage, telemetry, ARM (custom role), notifications, dead letters, and the
// federated credential of the multi-tenant app.
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${environmentName}-${token}'
    location: location
    tags: tags
  }
}

module appStorage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    // 3-24 lower-case letters and digits.
    name: 'st${take(toLower(replace(environmentName, '-', '')), 10)}${take(token, 12)}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    tablePrefix: registryTablePrefix
    tableRoles: map(storage.tables, t => t.role)
    queueNames: map(storage.queues, q => q.name)
    containerNames: concat(map(storage.blobContainers, c => c.name), [deploymentContainerName])
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    workspaceName: 'log-${environmentName}-${token}'
    applicationInsightsName: 'appi-${environmentName}-${token}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
  }
}

module notifications 'app/notifications.bicep' = {
  name: 'notifications'
  scope: rg
  params: {
    name: take('evgt-${environmentName}-${token}', 50) // topic names: at most 50 characters
    location: location
    tags: tags
    principalId: identity.outputs.principalId
  }
}

module entraApps 'app/entraApps.bicep' = if (createEntraApps) {
  name: 'entraApps'
  scope: rg
  params: {
    uniqueNamePrefix: 'adx-connection-lifecycle-${environmentName}-${token}'
    tenantId: tenant().tenantId
    issuerAuthority: environment().authentication.loginEndpoint
    managedIdentityPrincipalId: identity.outputs.principalId
    // The Graph extension deploys in the public cloud only (sovereign clouds use the script), hence its audience.
    tokenExchangeAudience: 'api://AzureADTokenExchange'
  }
}

var apiAppId = createEntraApps ? entraApps!.outputs.apiAppId : existingApiAppId
var apiIdentifierUri = createEntraApps ? entraApps!.outputs.apiIdentifierUri : existingApiIdentifierUri
var crossTenantAppId = createEntraApps ? entraApps!.outputs.crossTenantAppId : existingCrossTenantAppId

module functionApp 'app/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${environmentName}-${token}'
    location: location
    tags: tags
    identityResourceId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    identityPrincipalId: identity.outputs.principalId
    storageAccountName: appStorage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    cloudName: cloudNames[?environment().name] ?? 'AzurePublicCloud'
    tenantId: tenant().tenantId
    apiAudiences: join(filter([apiIdentifierUri, apiAppId], a => !empty(a)), ',')
    accessPolicy: string(accessPolicy)
    crossTenantAppId: crossTenantAppId
    sourceTenants: string(sourceTenants)
    notificationsTopicEndpoint: notifications.outputs.endpoint
    registryTablePrefix: registryTablePrefix
    kustoWaitInMs: kustoWaitInMs
    revocationMode: revocationMode
    eventSources: string(eventSources)
    auditSchedule: auditSchedule
    auditMode: auditMode
    auditEnforceFindings: auditEnforceFindings
    auditSubscriptions: kustoSubscription
    auditQueueName: storage.queues[0].name
    auditReportsContainer: first(filter(storage.blobContainers, c => c.name == 'audit-reports')).name
  }
}

// The custom role: exactly the ARM actions of contract/customRoleActions.json, assignable only where the app works.
module customRole 'app/customRole.bicep' = {
  name: 'customRole'
  params: {
    roleName: 'ADX Connection Lifecycle (${environmentName})'
    assignableScopes: map(managedResourceGroups, g => '/subscriptions/${g.subscriptionId}/resourceGroups/${g.resourceGroupName}')
  }
}

// The narrowest scope the app needs: the clusters' and sources' resource groups, one assignment each.
module customRoleAssignments 'app/roleAssignment.bicep' = [
  for g in managedResourceGroups: {
    name: 'customRole-${uniqueString(g.subscriptionId, g.resourceGroupName)}'
    scope: resourceGroup(g.subscriptionId, g.resourceGroupName)
    params: {
      principalId: identity.outputs.principalId
      roleDefinitionGuid: customRole.outputs.roleDefinitionGuid
    }
  }
]

module revocationEvents 'app/revocationEvents.bicep' = {
  name: 'revocationEvents'
  scope: resourceGroup(kustoSubscription, !empty(eventsResourceGroupName) ? eventsResourceGroupName : kustoResourceGroupName)
  params: {
    systemTopicName: 'evgst-${environmentName}-${token}'
    sourceSubscriptionId: kustoSubscription
    identityResourceId: identity.outputs.resourceId
    functionAppResourceId: functionApp.outputs.resourceId
    functionName: revocationFunctionName
    createEventSubscription: createEventSubscriptions
    deadLetterStorageAccountResourceId: appStorage.outputs.resourceId
    deadLetterContainerName: first(filter(storage.blobContainers, c => c.?deadLetter ?? false)).name
    tags: tags
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = functionApp.outputs.url
output AZURE_CLIENT_ID string = identity.outputs.clientId
output APP_PRINCIPAL_ID string = identity.outputs.principalId
output API_APP_ID string = apiAppId
output API_IDENTIFIER_URI string = apiIdentifierUri
output CROSS_TENANT_APP_CLIENT_ID string = crossTenantAppId
output NOTIFICATIONS_TOPIC_ENDPOINT string = notifications.outputs.endpoint
output EVENTS_WEBHOOK_URL string = '${functionApp.outputs.url}/api/events'
output CUSTOM_ROLE_DEFINITION_GUID string = customRole.outputs.roleDefinitionGuid
