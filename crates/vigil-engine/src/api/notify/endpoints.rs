//! Webhook endpoints: list, read, create, replace, delete, test.

#[allow(unused_imports)]
use super::*;

/// Every endpoint, secrets masked.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ListEndpoints {}

impl Request for ListEndpoints {
    type Response = Vec<Endpoint>;

    async fn handle(self, engine: &Engine) -> Result<Vec<Endpoint>, ApiError> {
        let all = engine.read(vigil_store::list_endpoints).await?;
        Ok(all.into_iter().map(Endpoint::masked).collect())
    }
}

/// One endpoint, secrets masked.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct GetEndpoint {
    /// Its id.
    #[ts(type = "number")]
    pub id: EndpointId,
}

impl Request for GetEndpoint {
    type Response = Endpoint;

    async fn handle(self, engine: &Engine) -> Result<Endpoint, ApiError> {
        let e = engine
            .read(move |c| vigil_store::get_endpoint(c, self.id))
            .await?;
        Ok(e.masked())
    }
}

/// Creates an endpoint (`id` 0 or absent) or replaces one; secrets sent back masked keep
/// their stored values. Returns it masked.
#[derive(Debug, Clone, Deserialize)]
pub struct SaveEndpoint {
    /// The endpoint as sent.
    pub endpoint: Endpoint,
}

impl Request for SaveEndpoint {
    type Response = Endpoint;

    async fn handle(self, engine: &Engine) -> Result<Endpoint, ApiError> {
        let endpoint = self.endpoint.validate()?;
        let saved = engine
            .write(move |tx| vigil_store::put_endpoint(tx, endpoint, now_ms()))
            .await?;
        engine.outbox().endpoints_changed();
        Ok(saved.masked())
    }
}

/// Creates an endpoint (`POST /endpoints`): any id sent is ignored.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CreateEndpoint(pub Endpoint);

impl Request for CreateEndpoint {
    type Response = Endpoint;

    async fn handle(self, engine: &Engine) -> Result<Endpoint, ApiError> {
        let mut endpoint = self.0;
        endpoint.id = 0;
        SaveEndpoint { endpoint }.handle(engine).await
    }
}

/// Replaces the endpoint with this id; secrets sent back masked keep their stored values.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UpdateEndpoint(pub Endpoint);

impl Request for UpdateEndpoint {
    type Response = Endpoint;

    async fn handle(self, engine: &Engine) -> Result<Endpoint, ApiError> {
        let endpoint = self.0;
        if endpoint.id <= 0 {
            return Err(ApiError::not_found(format!(
                "no object with id {}",
                endpoint.id
            )));
        }
        SaveEndpoint { endpoint }.handle(engine).await
    }
}

/// Deletes an endpoint no rule uses.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DeleteEndpoint {
    /// Its id.
    #[ts(type = "number")]
    pub id: EndpointId,
}

impl Request for DeleteEndpoint {
    type Response = Endpoint;

    async fn handle(self, engine: &Engine) -> Result<Endpoint, ApiError> {
        let e = engine
            .write(move |tx| vigil_store::delete_endpoint(tx, self.id, now_ms()))
            .await?;
        engine.outbox().endpoints_changed();
        Ok(e.masked())
    }
}

/// Sends a test message to an endpoint now (outside the outbox) and reports the attempt.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct TestEndpoint {
    /// Its id.
    #[ts(type = "number")]
    pub id: EndpointId,
}

impl Request for TestEndpoint {
    type Response = Attempt;

    async fn handle(self, engine: &Engine) -> Result<Attempt, ApiError> {
        let e = engine
            .read(move |c| vigil_store::get_endpoint(c, self.id))
            .await?;
        crate::outbox::send_test(engine, &e).await
    }
}
