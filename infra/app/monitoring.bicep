// Log Analytics and Application Insights, both with local (key) authentication disabled: telemetry arrives only
// with an Entra token of the UAMI (APPLICATIONINSIGHTS_AUTHENTICATION_STRING), which holds Monitoring Metrics
// Publisher on the component.
param workspaceName string
param applicationInsightsName string
param location string
param tags object
param principalId string

// A plain resource: the AVM workspace module versions checked (0.11.x) have no parameter for disableLocalAuth.
resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
    features: {
      disableLocalAuth: true
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

module component 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'application-insights'
  params: {
    name: applicationInsightsName
    location: location
    tags: tags
    workspaceResourceId: workspace.id
    disableLocalAuth: true
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
  dependsOn: [component]
}

output applicationInsightsName string = applicationInsights.name
