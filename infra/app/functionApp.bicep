// The Flex Consumption function app (Node 20, v4 programming model) running as the UAMI, and every app setting
// the deployment gives it: the names come from contract/appSettings.json, the values from `values` below, so a
// name in the contract without a value fails the deployment and test/unit/infra catches it first.
param name string
param planName string
param location string
param tags object
param identityResourceId string
param identityClientId string
param identityPrincipalId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
@allowed(['AzurePublicCloud', 'AzureUSGovernment', 'AzureChinaCloud'])
param cloudName string
param tenantId string
param apiAudiences string
param accessPolicy string
param crossTenantAppId string
param sourceTenants string
param notificationsTopicEndpoint string
param registryTablePrefix string
param kustoWaitInMs int
@allowed(['enforce', 'report'])
param revocationMode string
param eventSources string
param auditSchedule string
@allowed(['report', 'enforce'])
param auditMode string
param auditEnforceFindings string
param auditSubscriptions string
param auditQueueName string
param auditReportsContainer string
@description('Instance memory of the Flex Consumption plan.')
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 40

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'flex-plan'
  params: {
    name: planName
    location: location
    tags: tags
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
  }
}

var contract = loadJsonContent('../contract/appSettings.json')
var endpoints = storageAccount.properties.primaryEndpoints
var values = {
  AZURE_CLIENT_ID: identityClientId
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: endpoints.blob
  AzureWebJobsStorage__queueServiceUri: endpoints.queue
  AzureWebJobsStorage__tableServiceUri: endpoints.table
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  AZURE_CLOUD: cloudName
  APP_TENANT_ID: tenantId
  APP_PRINCIPAL_ID: identityPrincipalId
  API_AUDIENCES: apiAudiences
  API_TENANT_ID: tenantId
  ACCESS_POLICY: accessPolicy
  CROSS_TENANT_APP_CLIENT_ID: crossTenantAppId
  SOURCE_TENANTS: sourceTenants
  NOTIFICATIONS_TOPIC_ENDPOINT: notificationsTopicEndpoint
  REGISTRY_TABLE_PREFIX: registryTablePrefix
  KUSTO_WAIT_MS: string(kustoWaitInMs)
  REVOCATION_MODE: revocationMode
  EVENTS_ALLOWED_SOURCES: eventSources
  AUDIT_SCHEDULE: auditSchedule
  AUDIT_MODE: auditMode
  AUDIT_ENFORCE_FINDINGS: auditEnforceFindings
  AUDIT_SUBSCRIPTIONS: auditSubscriptions
  AUDIT_QUEUE: auditQueueName
  AUDIT_REPORTS_CONTAINER: auditReportsContainer
}
var appSettings = toObject(contract.settings, s => s.name, s => values[s.name])

module site 'br/public:avm/res/web/site:0.15.1' = {
  name: 'function-app'
  params: {
    kind: 'functionapp,linux'
    name: name
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    serverFarmResourceId: plan.outputs.resourceId
    managedIdentities: {
      systemAssigned: false
      userAssignedResourceIds: [identityResourceId]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${endpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '20'
      }
    }
    siteConfig: {
      alwaysOn: false
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    httpsOnly: true
    appSettingsKeyValuePairs: appSettings
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: name
}

output name string = name
output resourceId string = functionApp.id
output url string = 'https://${functionApp.properties.defaultHostName}'
