// The app's Entra registrations, with the Microsoft Graph Bicep extension (public cloud only; sovereign clouds:
// infra/scripts/createEntraApps.sh): the API (app roles its callers get), and the multi-tenant app whose
// federated credential trusts the UAMI, so the app can act in source tenants without any secret.
extension microsoftGraphV1

@description('Unique names make Graph deployments idempotent (Graph upserts by uniqueName).')
param uniqueNamePrefix string
param tenantId string
@description('environment().authentication.loginEndpoint, with its trailing slash.')
param issuerAuthority string
@description('The UAMI\'s principal (object) ID: the federated credential\'s subject.')
param managedIdentityPrincipalId string
param tokenExchangeAudience string

var apiUniqueName = '${uniqueNamePrefix}-api'
var sourcesUniqueName = '${uniqueNamePrefix}-sources'
// api://{tenant}/{name}: accepted by the default app-instance policy without a verified domain.
var apiIdentifierUri = 'api://${tenantId}/${uniqueNamePrefix}'
var webhookRole = 'AzureEventGridSecureWebhookSubscriber'
var appRoles = [
  { value: 'Connections.Read', displayName: 'Read connections', description: 'List and read managed data connections and their journal.' }
  { value: 'Connections.Write', displayName: 'Write connections', description: 'Create, update and delete managed data connections.' }
  { value: 'Audit.Run', displayName: 'Run audits', description: 'Start an audit and read its reports.' }
  { value: webhookRole, displayName: webhookRole, description: 'Event Grid delivering Resource events to /api/events (Entra-protected webhook).' }
]

resource api 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: apiUniqueName
  displayName: 'ADX Connection Lifecycle API (${uniqueNamePrefix})'
  signInAudience: 'AzureADMyOrg'
  identifierUris: [apiIdentifierUri]
  api: {
    requestedAccessTokenVersion: 2
  }
  appRoles: [
    for r in appRoles: {
      id: guid(uniqueNamePrefix, r.value)
      value: r.value
      displayName: r.displayName
      description: r.description
      allowedMemberTypes: ['User', 'Application']
      isEnabled: true
    }
  ]
}

resource apiServicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: api.appId
  // Only callers granted an app role get a token for the API.
  appRoleAssignmentRequired: true
}

resource sources 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: sourcesUniqueName
  displayName: 'ADX Connection Lifecycle sources (${uniqueNamePrefix})'
  // Multi-tenant: each source tenant provisions its service principal (admin consent) and grants it access.
  signInAudience: 'AzureADMultipleOrgs'

  resource trustsManagedIdentity 'federatedIdentityCredentials@v1.0' = {
    // Graph's key for a federated credential is '{application uniqueName}/{credential name}'.
    name: '${sourcesUniqueName}/app-managed-identity'
    description: 'The app\'s user-assigned managed identity; no client secret exists.'
    issuer: '${issuerAuthority}${tenantId}/v2.0'
    subject: managedIdentityPrincipalId
    audiences: [tokenExchangeAudience]
  }
}

resource sourcesServicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: sources.appId
}

// Event Grid's first-party application, provisioned in this tenant if it is not yet.
resource eventGrid 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: '4962773b-9cdb-44cf-a8bf-237846a00ab7' // Microsoft.EventGrid (Azure Event Grid's first-party app ID)
}

resource eventGridMayDeliver 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  appRoleId: guid(uniqueNamePrefix, webhookRole)
  principalId: eventGrid.id
  resourceId: apiServicePrincipal.id
}

output apiAppId string = api.appId
output apiIdentifierUri string = apiIdentifierUri
output apiServicePrincipalId string = apiServicePrincipal.id
output crossTenantAppId string = sources.appId
output crossTenantServicePrincipalId string = sourcesServicePrincipal.id
