//! `/graphql/ws`: `graphql-transport-ws` (and the older `graphql-ws`), with the
//! `connection_init` timeout the protocol asks for. A client that opens a socket and never
//! says who it is gets closed with `4408` instead of holding the connection.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_graphql::http::{WebSocket as GraphQLSocket, WebSocketProtocols, WsMessage};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::http::HeaderMap;
use futures_util::{future, SinkExt, StreamExt};
use vitrine_api::{ConnectionParams, WebSocketGateway};

/// The sub-protocol the client asked for, as `Sec-WebSocket-Protocol` lists them.
pub fn requested_protocol(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    let listed = headers.get(axum::http::header::SEC_WEBSOCKET_PROTOCOL)?.to_str().ok()?;
    listed.split(',').find_map(|p| p.trim().parse().ok())
}

/// Runs one connection until either side closes it.
pub async fn serve_socket(
    socket: WebSocket,
    executor: WebSocketGateway,
    protocol: WebSocketProtocols,
    from_headers: ConnectionParams,
    init_timeout: Duration,
) {
    let (mut sink, stream) = socket.split();
    let input = stream.take_while(|message| future::ready(message.is_ok())).filter_map(|message| {
        future::ready(match message {
            Ok(message @ (Message::Text(_) | Message::Binary(_))) => Some(message.into_data()),
            _ => None,
        })
    });
    let initialised = Arc::new(AtomicBool::new(false));
    let on_init = initialised.clone();
    let mut outgoing = GraphQLSocket::new(executor, input, protocol)
        .on_connection_init(move |payload| async move {
            on_init.store(true, Ordering::Relaxed);
            let mut data = async_graphql::Data::default();
            data.insert(from_headers.with_init_payload(&payload));
            Ok(data)
        })
        .map(|message| match message {
            WsMessage::Text(text) => Message::Text(text.into()),
            WsMessage::Close(code, reason) => {
                Message::Close(Some(CloseFrame { code, reason: reason.into() }))
            }
        });
    let deadline = tokio::time::sleep(init_timeout);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            message = outgoing.next() => {
                let Some(message) = message else { break };
                if sink.send(message).await.is_err() {
                    break;
                }
            }
            () = &mut deadline, if !initialised.load(Ordering::Relaxed) => {
                let reason = "Connection initialisation timeout";
                let close = Message::Close(Some(CloseFrame { code: 4408, reason: reason.into() }));
                let _ = sink.send(close).await;
                break;
            }
        }
    }
}
